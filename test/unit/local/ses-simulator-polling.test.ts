// The local SES simulator's look at the mailbox: each email reported once, and no email fetched again once a later second's has been seen.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SNSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { startSesSimulator } from '../../../local/ses-simulator.ts';

interface Email {
  messageId: string;
  destination: { to: string[] };
  at: number;
}

/** A mailbox answering `/store?since=` as aws-ses-v2-local does (emails stamped at or after `since`), recording each `since` asked. */
async function mailbox(emails: Email[]) {
  const asked: number[] = [];
  const server = createServer((req, res) => {
    const since = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('since'));
    asked.push(since);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ templates: {}, emails: emails.filter((e) => e.at >= since) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, asked, close: () => new Promise((r) => server.close(r)) };
}

const email = (n: number, at: number): Email => ({
  messageId: `m${n}`,
  destination: { to: [`p${n}@example.org`] },
  at,
});

/** The message ids of the Send events delivered. */
const sent = (events: SNSEvent[]) =>
  events.map(
    (e) => (JSON.parse(e.Records[0]?.Sns.Message ?? '{}') as { mail: { messageId: string } }).mail.messageId,
  );

async function until(probe: () => boolean) {
  const deadline = Date.now() + 5000;
  while (!probe() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('startSesSimulator', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  it('reports each email once, one kept later in the second already seen included, and asks from the newest second seen', async () => {
    // Prepare: two emails of second 100, one of second 101
    const emails = [email(1, 100), email(2, 100), email(3, 101)];
    const box = await mailbox(emails);
    stops.push(box.close);
    const events: SNSEvent[] = [];
    const simulator = startSesSimulator(
      box.url,
      async (event) => events.push(event),
      (error) => {
        throw error;
      },
      10,
    );
    stops.push(simulator.stop);
    await until(() => events.length === 3);

    // Act: another email kept in second 101, after the simulator has seen that second
    emails.push(email(4, 101));
    await until(() => events.length === 4);
    const asked = box.asked.length;
    await until(() => box.asked.length >= asked + 3);

    // Assess
    expect(sent(events)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(box.asked[0]).toBe(0);
    // Once second 101's email was seen, second 100's are never fetched again.
    expect(box.asked.slice(-3)).toEqual([101, 101, 101]);
  });

  it('asks again from where it was when an event could not be delivered, and reports the email then', async () => {
    // Prepare: the first delivery fails
    const box = await mailbox([email(1, 200)]);
    stops.push(box.close);
    const events: SNSEvent[] = [];
    let failures = 0;
    const simulator = startSesSimulator(
      box.url,
      async (event) => {
        if (failures++ === 0) throw new Error('ses-events unavailable');
        events.push(event);
      },
      () => undefined,
      10,
    );
    stops.push(simulator.stop);

    // Act
    await until(() => events.length === 1);

    // Assess
    expect(sent(events)).toEqual(['m1']);
    expect(box.asked.slice(0, 2)).toEqual([0, 0]);
  });
});
