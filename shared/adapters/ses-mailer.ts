// The Mailer port on SES v2: a configuration set, tags and per-message headers on every email, every header built from values that cannot break its line.
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { EmailMaybeSentError, EmailThrottledError } from '../core/errors.ts';
import { formatMailbox, headerName, headerValue, type Mailbox, oneLine } from '../core/mailbox.ts';
import type { SendPacer, SendQuota } from '../core/send-rate.ts';
import type { Mailer } from '../ports.ts';

export interface SesMailerOptions {
  from: Mailbox;
  /** Where replies go (people are told to contact HR); absent: replies go to `from`. */
  replyTo?: Mailbox | undefined;
  configurationSet: string;
  /** Keeps the sends within SES's quota (shared/core/send-rate.ts); none: every send at once. */
  pacer?: SendPacer | undefined;
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
    const quota = throttledBy(error);
    if (quota) throw new EmailThrottledError(quota, { cause: error });
    throw error;
  }
}

/**
 * Whether SES refused a send for its quota, and which. SES v2 answers 429 TooManyRequestsException
 * ("Maximum sending rate exceeded.", and "Daily message quota exceeded." once the day's quota is
 * spent); the names of the older API and of the common errors are taken too, as SES has answered
 * with them (Throttling, ThrottlingException), and LimitExceededException, which a send can only
 * get for a quota. Anything else SES answered is not a throttle.
 */
export function throttledBy(error: unknown): 'rate' | 'daily' | undefined {
  const { name, message } = error as { name?: string; message?: string };
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const throttle =
    status === 429 ||
    ['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException'].includes(
      name ?? '',
    );
  if (!throttle) return undefined;
  return /daily|24.?hour/i.test(message ?? '') ? 'daily' : 'rate';
}

/** The account's send quota in this region (SES v2 GetAccount; the role needs ses:GetAccount). */
export async function readSesQuota(client: SESv2Client): Promise<SendQuota> {
  const { SendQuota: quota } = await client.send(new GetAccountCommand({}));
  if (quota?.MaxSendRate === undefined) throw new Error('SES GetAccount returned no send quota');
  return {
    maxSendRate: quota.MaxSendRate,
    max24HourSend: quota.Max24HourSend ?? -1,
    sentLast24Hours: quota.SentLast24Hours ?? 0,
  };
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
      await options.pacer?.take();
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
      ).catch((error) => {
        if (error instanceof EmailThrottledError) options.pacer?.throttled();
        throw error;
      });
      options.pacer?.sent();
      if (!out.MessageId) throw new Error('SES returned no message id');
      return out.MessageId;
    },
  };
}
