// Standard Webhooks signing and verification (https://www.standardwebhooks.com), via the reference library.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { SignatureError, ValidationError } from './errors.ts';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A verifier for incoming webhooks (HR events); the library enforces the 5-minute tolerance. */
export function makeWebhookVerifier(secret: string) {
  const webhook = new Webhook(secret);
  return (rawBody: string, headers: Record<string, string | undefined>): unknown => {
    const wanted: Record<string, string> = {};
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const value = headers[name];
      if (value === undefined) throw new SignatureError();
      wanted[name] = value;
    }
    try {
      return webhook.verify(rawBody, wanted);
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw new SignatureError({ cause: error });
      // The signature held but the body is not JSON: the sender's mistake, not a forgery.
      if (error instanceof SyntaxError) {
        throw new ValidationError('starter.invalid', [
          { field: 'body', message: 'The body is not valid JSON.' },
        ]);
      }
      throw error;
    }
  };
}

/**
 * A signer for outgoing webhooks (LMS deliveries): the same id on every attempt, a fresh
 * timestamp. `secrets` may hold several, separated by spaces or commas (the new one and the one
 * being retired): every request then carries a signature from each, space-separated as the Standard
 * Webhooks spec allows, so the receiver can switch secrets at its own pace.
 */
export function makeWebhookSigner(secrets: string) {
  const webhooks = secrets
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((secret) => new Webhook(secret));
  if (!webhooks.length) throw new RangeError('no webhook signing secret');
  return (webhookId: string, at: Date, body: string): SignedHeaders => ({
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhooks.map((w) => w.sign(webhookId, at, body)).join(' '),
  });
}

export type WebhookSigner = ReturnType<typeof makeWebhookSigner>;
export type WebhookVerifier = ReturnType<typeof makeWebhookVerifier>;
