// Standard Webhooks signing and verification (https://www.standardwebhooks.com), via the reference library.
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { ConfigError, SignatureError, ValidationError } from './errors.ts';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Checks a Standard Webhooks secret setting — one secret, or several separated by spaces or
 * commas during a rotation — and answers it unchanged. Each must be padded base64 (after an
 * optional `whsec_` prefix) that decodes to at least one byte: the JavaScript library forgives
 * missing padding, but Python's and PHP's strict decoders refuse it, so a receiver holding such a
 * secret would reject every signature. The message names the setting, never its value.
 */
export function checkWebhookSecrets(name: string, value: string): string {
  const secrets = value.split(/[\s,]+/).filter(Boolean);
  if (!secrets.length) throw new ConfigError(`${name} is empty`);
  for (const [index, secret] of secrets.entries()) {
    const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
    // Buffer skips what is not base64 and takes the URL-safe alphabet too: only a canonical
    // encoding survives the round trip.
    if (!encoded || Buffer.from(encoded, 'base64').toString('base64') !== encoded) {
      const which = secrets.length > 1 ? ` (secret ${index + 1} of ${secrets.length})` : '';
      throw new ConfigError(
        `${name}${which} must be padded base64 after an optional whsec_ (e.g. whsec_ and 32 random bytes in base64)`,
      );
    }
  }
  return value;
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
