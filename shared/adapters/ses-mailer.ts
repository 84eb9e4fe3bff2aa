// The Mailer port on SES v2: a configuration set, tags and per-message headers on every email, every header built from values that cannot break its line.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { EmailMaybeSentError } from '../core/errors.ts';
import { formatMailbox, headerName, headerValue, type Mailbox, oneLine } from '../core/mailbox.ts';
import type { Mailer } from '../ports.ts';

export interface SesMailerOptions {
  from: Mailbox;
  /** Where replies go (people are told to contact HR); absent: replies go to `from`. */
  replyTo?: Mailbox | undefined;
  configurationSet: string;
}

/** SES tag values allow only [A-Za-z0-9_-.@]; anything else would fail the send. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);

/**
 * Defence in depth: what reaches a header was checked at ingest or at load, and is checked again
 * here, where the header is made. A control or line-breaking character in From, Reply-To, To or a
 * custom header refuses the send (HeaderError, `mail.header_unsafe`); in the Subject, built from
 * templates and people's names, each run of them becomes one space.
 */
/**
 * SES's answer, or why there was none. An error SES answered (throttling, a rejected address) means
 * the email was not sent; one with no HTTP status (a timeout, a dropped connection) may have come
 * after SES took it: EmailMaybeSentError, so the mailer waits for SES's word before sending again.
 */
async function answered<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined) throw new EmailMaybeSentError({ cause: error });
    throw error;
  }
}

export function makeSesMailer(options: SesMailerOptions, client: SESv2Client = new SESv2Client({})): Mailer {
  return {
    async send(email) {
      const from = formatMailbox(options.from, 'From');
      const replyTo = options.replyTo && formatMailbox(options.replyTo, 'Reply-To');
      const headers = Object.entries(email.headers ?? {}).map(([Name, Value]) => ({
        Name: headerName(Name),
        Value: headerValue(Name, Value),
      }));
      const out = await answered(
        client.send(
          new SendEmailCommand({
            FromEmailAddress: from,
            ...(replyTo && { ReplyToAddresses: [replyTo] }),
            Destination: {
              ToAddresses: [email.to, ...(email.alsoTo ?? [])].map((address) =>
                formatMailbox({ address }, 'To'),
              ),
            },
            ConfigurationSetName: options.configurationSet,
            EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
            Content: {
              Simple: {
                Subject: { Data: oneLine(email.subject), Charset: 'UTF-8' },
                Body: {
                  Html: { Data: email.html, Charset: 'UTF-8' },
                  Text: { Data: email.text, Charset: 'UTF-8' },
                },
                Headers: headers,
                // SES v2 builds the MIME itself (multipart/mixed), base64 for the file.
                ...(email.attachments?.length && {
                  Attachments: email.attachments.map((file) => ({
                    FileName: headerValue('attachment file name', file.fileName),
                    ContentType: headerValue('attachment content type', file.contentType),
                    ContentDisposition: 'ATTACHMENT' as const,
                    ContentTransferEncoding: 'BASE64' as const,
                    RawContent: file.content,
                  })),
                }),
              },
            },
          }),
        ),
      );
      if (!out.MessageId) throw new Error('SES returned no message id');
      return out.MessageId;
    },
  };
}
