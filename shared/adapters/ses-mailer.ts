// The Mailer port on SES v2: a configuration set, tags and per-message headers on every email.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../ports.ts';

export interface SesMailerOptions {
  from: string;
  configurationSet: string;
}

/** SES tag values allow only [A-Za-z0-9_-.@]; anything else would fail the send. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);

export function makeSesMailer(options: SesMailerOptions, client: SESv2Client = new SESv2Client({})): Mailer {
  return {
    async send(email) {
      const out = await client.send(
        new SendEmailCommand({
          FromEmailAddress: options.from,
          Destination: { ToAddresses: [email.to] },
          ConfigurationSetName: options.configurationSet,
          EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              Headers: Object.entries(email.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
            },
          },
        }),
      );
      if (!out.MessageId) throw new Error('SES returned no message id');
      return out.MessageId;
    },
  };
}
