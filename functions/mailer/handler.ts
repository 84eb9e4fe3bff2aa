// Mail queue consumer: does each owed mail-lane step (invite, reminder, escalation, digest, receipt, bounce and decline notices); failed records are retried alone (partial batch failure).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { makeLogger, withLambdaContext } from '#shared/adapters/logger.ts';
import { makeMetrics } from '#shared/adapters/metrics.ts';
import { rebuiltWhenChanged } from '#shared/adapters/secrets.ts';
import { makeSesMailer, readSesQuota } from '#shared/adapters/ses-mailer.ts';
import type { CertificateInput } from '#shared/core/certificate.ts';
import { EmailThrottledError } from '#shared/core/errors.ts';
import { makeSendEmail } from '#shared/core/mail.ts';
import type {
  BounceNoticeContent,
  DeclineNoticeContent,
  DigestContent,
  ReceiptContent,
} from '#shared/core/mail-content.ts';
import { MAIL_KINDS } from '#shared/core/model.ts';
import { deferThrottled, makeSendPacer } from '#shared/core/send-rate.ts';
import { parseWorkMessage } from '#shared/edge/queue.ts';
import type { Queue } from '#shared/ports.ts';
import { renderInvite } from '#templates/invite.ts';
import { config } from './config.ts';
import { makeMailerStore } from './store.ts';

const logger = makeLogger();
const metrics = makeMetrics();
const processor = new BatchProcessor(EventType.SQS);
const store = makeMailerStore(config.TABLE_NAME, config.DUE_SHARDS);
const ses = new SESv2Client({});
const mailer = makeSesMailer(
  {
    from: config.MAIL_FROM,
    replyTo: config.REPLY_TO,
    configurationSet: config.SES_CONFIGURATION_SET,
    // This instance's share of SES's quota, read once a minute while it is warm.
    pacer: makeSendPacer({
      readQuota: () => readSesQuota(ses),
      maxRate: config.SES_MAX_RATE,
      instances: config.MAILER_CONCURRENCY,
      logger,
    }),
  },
  ses,
);

/**
 * The mail queue a throttled send is put back on, with its SQS client: loaded at the first send
 * SES throttles, once per warm function, not at every cold start (issue 18).
 */
let mailQueue: Promise<Queue> | undefined;
const mailQueueNow = () => {
  mailQueue ??= import('#shared/adapters/sqs-queue.ts').then((sqs) =>
    sqs.makeSqsQueue(config.MAIL_QUEUE_URL),
  );
  return mailQueue;
};

/** The PDF library and its font load with the first receipt, not at every cold start (issue 18). */
async function makeCertificate(input: CertificateInput) {
  const [certificate, font] = await Promise.all([
    import('#shared/core/certificate.ts'),
    import('#shared/adapters/certificate-font.ts'),
  ]);
  return certificate.makeCertificate(input, await font.certificateFont());
}

/**
 * The emails only some sends need load at their kind's first send, each renderer with its compiled
 * template, once per warm function (a file of its own in the asset: infra/bundle.ts). Invites and
 * reminders, most of what the mailer sends, are rendered by the code a cold start loads.
 */
const renderReceipt = async (content: ReceiptContent) =>
  (await import('#templates/receipt.ts')).renderReceipt(content);
const renderDigest = async (content: DigestContent) =>
  (await import('#templates/manager.ts')).renderDigest(content);
const renderBounceNotice = async (content: BounceNoticeContent) =>
  (await import('#templates/manager.ts')).renderBounceNotice(content);
const renderDeclineNotice = async (content: DeclineNoticeContent) =>
  (await import('#templates/decline-notice.ts')).renderDeclineNotice(content);

/** The use case for the link keys of the moment (`attest keys`), rebuilt only when they change. */
const sendEmailNow = rebuiltWhenChanged(config.tokenKeys, (tokenKeys) =>
  makeSendEmail({
    store,
    mailer,
    clock: { now: () => new Date() },
    logger,
    metrics,
    tokenKeys,
    renderInvite,
    renderReceipt,
    renderDigest,
    renderBounceNotice,
    renderDeclineNotice,
    hrNotifyEmail: config.HR_NOTIFY_EMAIL?.address,
    makeCertificate,
    planFor: config.planFor,
    lifecycleFor: config.lifecycleFor,
    digestDelayMs: config.DIGEST_DELAY,
    retention: { evidence: config.RETAIN_EVIDENCE },
    publicBaseUrl: config.PUBLIC_BASE_URL,
    organisationName: config.ORGANISATION_NAME,
    tokenTtlMs: config.TOKEN_TTL,
    leaseMs: config.LEASE,
    maybeSentGraceMs: config.MAYBE_SENT_GRACE,
  }),
);

/** A send SES throttled is not a failure of the record: it waits on the queue (deferThrottled). */
async function recordHandler(record: SQSRecord): Promise<void> {
  const sendEmail = await sendEmailNow();
  const message = parseWorkMessage(record.body, MAIL_KINDS);
  try {
    await sendEmail(message, Number(record.attributes.ApproximateReceiveCount) || undefined);
  } catch (error) {
    if (!(error instanceof EmailThrottledError)) throw error;
    await deferThrottled(await mailQueueNow(), message, error, logger);
  }
}

export const handler = withLambdaContext(logger, (event: SQSEvent) =>
  processPartialResponse(event, recordHandler, processor),
);
