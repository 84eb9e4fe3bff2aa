// The queue edge: reading work messages from SQS record bodies.
import { DELIVERY_KINDS, type DueKind, MAIL_KINDS, type WorkMessage } from '../core/model.ts';
import * as z from '../core/zod.ts';

const workMessage = z.object({
  assignmentId: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/)),
  // `lms`: the webhook's lane as messages sent before it was named `webhook` call it (still queued at a deploy).
  kind: z.pipe(
    z.enum([...MAIL_KINDS, ...DELIVERY_KINDS, 'lms']),
    z.transform((kind: DueKind | 'lms'): DueKind => (kind === 'lms' ? 'webhook' : kind)),
  ),
  dueAt: z.optional(z.iso.datetime()),
  throttled: z.optional(z.number().check(z.int(), z.gte(0), z.lte(1000))),
});

/**
 * Parses a message meant for a consumer of `kinds`. A malformed one throws, so after its retries
 * it rests in the dead-letter queue where an operator can see it, rather than vanishing.
 */
export function parseWorkMessage<K extends DueKind>(
  body: string,
  kinds: readonly K[],
): WorkMessage & { kind: K } {
  const message = workMessage.parse(JSON.parse(body));
  if (!(kinds as readonly DueKind[]).includes(message.kind)) {
    throw new Error(`a ${message.kind} message reached the ${kinds.join('/')} consumer`);
  }
  return message as WorkMessage & { kind: K };
}
