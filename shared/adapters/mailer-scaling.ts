// The mailers' size on AWS: SES's send quota, and the mail queue's event source mapping whose maximum concurrency follows it. Loaded by the sweeper at its first sizing (LAZY_MODULES), so neither client is read at its cold start.
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type MailerScaling, makeSizeMailers } from '../core/send-rate.ts';
import type { Logger } from '../ports.ts';
import { readSesQuota } from './ses-mailer.ts';

/** The maximum concurrency of event source mapping `uuid` (the stack grants reading and updating that one). */
export function makeEventSourceScaling(uuid: string, client = new LambdaClient({})): MailerScaling {
  return {
    async current() {
      const mapping = await client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      return mapping.ScalingConfig?.MaximumConcurrency;
    },
    async set(concurrency) {
      await client.send(
        new UpdateEventSourceMappingCommand({
          UUID: uuid,
          ScalingConfig: { MaximumConcurrency: concurrency },
        }),
      );
    },
  };
}

/** Sizes the mailers' event source `uuid` for the account's quota (or `maxRate` below it). */
export function makeAwsSizeMailers(uuid: string, maxRate: number | undefined, logger: Pick<Logger, 'info'>) {
  const ses = new SESv2Client({});
  return makeSizeMailers({
    readQuota: () => readSesQuota(ses),
    maxRate,
    scaling: makeEventSourceScaling(uuid),
    logger,
  });
}
