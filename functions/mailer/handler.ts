// Mail queue consumer: does each owed mail-lane step (invite, reminder, escalation, digest, receipt, bounce notice); failed records are retried alone (partial batch failure).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { makeDynamoStore } from '#shared/adapters/dynamo-store.ts';
import { makeLogger } from '#shared/adapters/logger.ts';
import { makeSesMailer } from '#shared/adapters/ses-mailer.ts';
import { makeSendEmail } from '#shared/core/mail.ts';
import { parseWorkMessage } from '#shared/edge/queue.ts';
import { renderInvite } from '#templates/invite.ts';
import { renderBounceNotice, renderDigest } from '#templates/manager.ts';
import { renderReceipt } from '#templates/receipt.ts';
import { config } from './config.ts';

const logger = makeLogger();
const processor = new BatchProcessor(EventType.SQS);
const sendEmail = makeSendEmail({
  store: makeDynamoStore(config.TABLE_NAME),
  mailer: makeSesMailer({ from: config.MAIL_FROM, configurationSet: config.SES_CONFIGURATION_SET }),
  clock: { now: () => new Date() },
  logger,
  tokenKeys: config.tokenKeys,
  renderInvite,
  renderReceipt,
  renderDigest,
  renderBounceNotice,
  planFor: config.planFor,
  digestDelayMs: config.DIGEST_DELAY,
  publicBaseUrl: config.PUBLIC_BASE_URL,
  organisationName: config.ORGANISATION_NAME,
  tokenTtlMs: config.TOKEN_TTL,
  leaseMs: config.LEASE,
});

async function recordHandler(record: SQSRecord): Promise<void> {
  await sendEmail(
    parseWorkMessage(record.body, ['invite', 'reminder', 'escalation', 'digest', 'receipt', 'bounce-notice']),
  );
}

export const handler = (event: SQSEvent) => processPartialResponse(event, recordHandler, processor);
