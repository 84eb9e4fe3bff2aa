// The local SES's send quota, through the real SDK against aws-ses-v2-local: GetAccount reports it, sends beyond it get SES's 429.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  GetAccountCommand,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSesQuota } from '#shared/adapters/ses-mailer.ts';
import { gateSesQuota, type SesQuotaGate } from '../../../local/ses-quota.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localSesQuota } from '../../../local/settings.ts';

const startSes = createRequire(import.meta.url)('aws-ses-v2-local')
  .default as typeof import('aws-ses-v2-local').default;

const send = (client: SESv2Client, to: string) =>
  client.send(
    new SendEmailCommand({
      FromEmailAddress: 'onboarding@attest.example',
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hello' } } } },
    }),
  );

describe('gateSesQuota', () => {
  let server: Server;
  let client: SESv2Client;
  let gate: SesQuotaGate;
  let now = 1_000_000;

  beforeAll(async () => {
    server = (await startSes({ host: '127.0.0.1', port: 0 })) as Server;
    gate = gateSesQuota(server, { maxSendRate: 2, max24HourSend: 5 }, () => now);
    client = new SESv2Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      // The SDK would retry a throttle itself: each refusal is to be seen here.
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lets a second of sends through, then refuses with SES v2’s 429 until the rate allows; GetAccount counts the day', async () => {
    // Act: three at once at 2 a second, then one half a second later
    const first = await send(client, 'a@example.org');
    await send(client, 'b@example.org');
    const third = send(client, 'c@example.org');
    await expect(third).rejects.toBeInstanceOf(TooManyRequestsException);
    await expect(third).rejects.toMatchObject({
      message: 'Maximum sending rate exceeded.',
      $metadata: { httpStatusCode: 429 },
    });
    now += 500;
    await send(client, 'c@example.org');
    const account = await client.send(new GetAccountCommand({}));

    // Assess
    expect(first.MessageId).toBeTruthy();
    expect(account.SendQuota).toEqual({ MaxSendRate: 2, Max24HourSend: 5, SentLast24Hours: 3 });
    expect(gate.refused()).toEqual({ rate: 1, daily: 0 });
  });

  it('refuses every send once the day’s quota is spent, until a day after the first', async () => {
    // Prepare: 3 of 5 sent
    now += 10_000;
    await send(client, 'd@example.org');
    now += 10_000;
    await send(client, 'e@example.org');
    now += 10_000;

    // Act
    const refused = send(client, 'f@example.org');
    await expect(refused).rejects.toMatchObject({ message: 'Daily message quota exceeded.' });
    now += 86_400_000;
    const quota = await readSesQuota(client);
    await send(client, 'f@example.org');

    // Assess: the pacer reads what the gate reports
    expect(quota).toEqual({ maxSendRate: 2, max24HourSend: 5, sentLast24Hours: 0 });
    expect(gate.refused()).toEqual({ rate: 1, daily: 1 });
  });

  it('takes a new quota at once', async () => {
    // Prepare
    gate.set({ maxSendRate: 100, max24HourSend: -1 });

    // Act
    const quota = await readSesQuota(client);

    // Assess
    expect(quota).toMatchObject({ maxSendRate: 100, max24HourSend: -1 });
  });
});

describe('localSesQuota', () => {
  const fallback = { maxSendRate: 14, max24HourSend: 50_000 };

  it('takes SES_LOCAL_MAX_SEND_RATE and SES_LOCAL_MAX_24_HOUR_SEND over the defaults, empty being unset', () => {
    // Act and assess
    expect(localSesQuota({}, fallback)).toEqual(fallback);
    expect(localSesQuota({ SES_LOCAL_MAX_SEND_RATE: '', SES_LOCAL_MAX_24_HOUR_SEND: ' ' }, fallback)).toEqual(
      fallback,
    );
    expect(
      localSesQuota({ SES_LOCAL_MAX_SEND_RATE: '0.5', SES_LOCAL_MAX_24_HOUR_SEND: '-1' }, fallback),
    ).toEqual({ maxSendRate: 0.5, max24HourSend: -1 });
  });

  it.each([
    ['SES_LOCAL_MAX_SEND_RATE', '0', 'a positive number of emails a second'],
    ['SES_LOCAL_MAX_SEND_RATE', 'fast', 'a positive number of emails a second'],
    ['SES_LOCAL_MAX_24_HOUR_SEND', '1.5', 'a whole number of emails a day (-1: no limit)'],
    ['SES_LOCAL_MAX_24_HOUR_SEND', '-2', 'a whole number of emails a day (-1: no limit)'],
  ])('refuses %s=%s, saying what it must be', (name, value, what) => {
    // Act and assess
    expect(() => localSesQuota({ [name]: value }, fallback)).toThrow(
      `${name} must be ${what}, not "${value}"`,
    );
  });
});
