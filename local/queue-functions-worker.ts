// The queue functions' thread: runs local/queue-pollers.ts there and answers the stack's requests about it.
import { parentPort, workerData } from 'node:worker_threads';
import { type QueueFunctionsOptions, startQueuePollers } from './queue-pollers.ts';
import { failed } from './thread.ts';

export type QueueFunctionsRequest =
  | { id: number; type: 'resizeMail'; concurrency: number }
  | { id: number; type: 'stop' };

/** A handler's unexpected error, as the stack's `onError` is told of it. */
export interface ReportedError {
  type: 'error';
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

const port = parentPort;
if (!port)
  throw new Error('local/queue-functions-worker.ts runs as a worker thread (local/queue-functions.ts)');
const options = workerData as QueueFunctionsOptions;

// A thread's stdout and stderr are pipes to the process's: its log lines are coloured as the
// process's terminal would colour them (shared/adapters/log-line.ts asks the stream).
for (const [name, stream] of [
  ['stdout', process.stdout],
  ['stderr', process.stderr],
] as const) {
  if (options.colours[name]) Object.assign(stream, { isTTY: true, hasColors: () => true });
}

try {
  // The functions read the environment the stack set before this thread began (a copy of it).
  const pollers = await startQueuePollers(options, (error) => {
    const { name, message, stack, code } = error as NodeJS.ErrnoException;
    port.postMessage({ type: 'error', name, message, stack, code } satisfies ReportedError);
  });
  port.on('message', async (request: QueueFunctionsRequest) => {
    if (request.type === 'resizeMail') {
      pollers.resizeMail(request.concurrency);
      port.postMessage({ id: request.id });
    } else {
      await pollers.stop();
      port.postMessage({ id: request.id });
      port.close();
    }
  });
  port.postMessage({ type: 'started' });
} catch (error) {
  port.postMessage(failed(error));
  port.close();
}
