// Queue messages are hints: the work is owed in the table already, so a failed send only delays it.
import type { Logger, Queue } from '../ports.ts';
import type { WorkMessage } from './model.ts';

/** SQS's longest DelaySeconds. */
export const MAX_DELAY_SECONDS = 900;

/**
 * Sends `message` for work already owed in the table. A failure is logged, not thrown: the
 * sweeper re-drives the work from the table at its due time, so nothing is lost.
 */
export async function sendHint(
  queue: Queue,
  message: WorkMessage,
  logger: Pick<Logger, 'warn'>,
  delaySeconds?: number,
): Promise<void> {
  try {
    await queue.send(message, delaySeconds);
  } catch (error) {
    logger.warn(`${message.kind} not enqueued; the sweeper will re-drive it`, {
      assignmentId: message.assignmentId,
      error: (error as Error).name,
    });
  }
}
