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

/** A signer for outgoing webhooks (LMS deliveries): the same id on every attempt, a fresh timestamp. */
export function makeWebhookSigner(secret: string) {
  const webhook = new Webhook(secret);
  return (webhookId: string, at: Date, body: string): SignedHeaders => ({
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(webhookId, at, body),
  });
}

export type WebhookSigner = ReturnType<typeof makeWebhookSigner>;
export type WebhookVerifier = ReturnType<typeof makeWebhookVerifier>;
