// The mailers' size on AWS: the mail queue's event source mapping read and updated through the Lambda API, sized for SES's quota as GetAccount reports it.
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetAccountCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeAwsSizeMailers, makeEventSourceScaling } from '#shared/adapters/mailer-scaling.ts';
import { silentLogger } from '../../../support/fakes.ts';

const lambda = mockClient(LambdaClient);
const ses = mockClient(SESv2Client);
const UUID = '6f0c2a9e-3b1d-4c5e-9f7a-1b2c3d4e5f60';

describe('makeEventSourceScaling', () => {
  beforeEach(() => {
    lambda.reset();
  });

  it('reads the mapping’s maximum concurrency, and none when it has no scaling setting', async () => {
    // Prepare
    lambda
      .on(GetEventSourceMappingCommand, { UUID })
      .resolvesOnce({ UUID, ScalingConfig: { MaximumConcurrency: 2 } })
      .resolvesOnce({ UUID });
    const scaling = makeEventSourceScaling(UUID, new LambdaClient({ region: 'eu-west-2' }));

    // Act and assess
    expect(await scaling.current()).toBe(2);
    expect(await scaling.current()).toBeUndefined();
  });

  it('updates that mapping’s maximum concurrency and nothing else of it', async () => {
    // Prepare
    lambda.on(UpdateEventSourceMappingCommand).resolves({ UUID });
    const scaling = makeEventSourceScaling(UUID, new LambdaClient({ region: 'eu-west-2' }));

    // Act
    await scaling.set(5);

    // Assess
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand).map((call) => call.args[0].input)).toEqual([
      { UUID, ScalingConfig: { MaximumConcurrency: 5 } },
    ]);
  });
});

describe('makeAwsSizeMailers', () => {
  beforeEach(() => {
    lambda.reset();
    ses.reset();
  });

  it('sizes the mapping for the account’s quota, capped by SES_MAX_RATE', async () => {
    // Prepare: deployed for 14 a second; the account now sends 200, capped at 100
    ses
      .on(GetAccountCommand)
      .resolves({ SendQuota: { MaxSendRate: 200, Max24HourSend: 1e6, SentLast24Hours: 0 } });
    lambda.on(GetEventSourceMappingCommand).resolves({ UUID, ScalingConfig: { MaximumConcurrency: 2 } });
    lambda.on(UpdateEventSourceMappingCommand).resolves({ UUID });

    // Act
    const sized = await makeAwsSizeMailers(UUID, 100, silentLogger)();

    // Assess
    expect(sized).toEqual({ rate: 100, concurrency: 5, was: 2 });
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand).map((call) => call.args[0].input)).toEqual([
      { UUID, ScalingConfig: { MaximumConcurrency: 5 } },
    ]);
  });

  it('leaves the mapping alone when SES will not say the quota', async () => {
    // Prepare
    ses.on(GetAccountCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const sizing = makeAwsSizeMailers(UUID, undefined, silentLogger)();

    // Assess
    await expect(sizing).rejects.toThrow('denied');
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)).toEqual([]);
  });
});
