// Figures: deliveries per second to the local demo receiver at a few concurrency levels (signed webhooks, and xAPI statements against them), and the signing cost per message against an unsigned baseline.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { statementIdFor } from '#shared/core/destinations/delivery-ids.ts';
import type { RequestChannel } from '#shared/core/destinations/destination.ts';
import { makeWebhookChannel } from '#shared/core/destinations/webhook.ts';
import { makeXapiChannel } from '#shared/core/destinations/xapi.ts';
import type { Assignment, Evidence, Starter } from '#shared/core/model.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import { createLmsReceiver } from '../local/lms-receiver.ts';
import { LOCAL_LRS_USERNAME, LOCAL_SECRETS } from '../local/settings.ts';
import { fmt, measure, report } from './measure.ts';

const body = (i: number) =>
  JSON.stringify({
    type: 'policy.acknowledged',
    timestamp: new Date().toISOString(),
    data: {
      assignmentId: `a${i}`,
      employeeId: `E${i}`,
      email: `starter.${i}@example.org`,
      givenName: 'Ada',
      familyName: 'Lovelace',
      policy: { id: 'safe-internet-use', version: 1, title: 'Safe Internet Use', sha256: 'c'.repeat(64) },
      acknowledgedAt: new Date().toISOString(),
      evidenceId: `ev_${i}`,
    },
  });

export async function run(): Promise<void> {
  const sign = makeWebhookSigner(LOCAL_SECRETS.LMS_WEBHOOK_SECRET);

  // Signing: the HMAC and headers per message, against building the same request unsigned.
  let n = 0;
  const signed = await measure(() => sign(`msg_${n++}`, new Date(), body(n)), 1500);
  const unsigned = await measure(() => ({ 'content-type': 'application/json', body: body(n++) }), 1500);
  report(
    'LMS webhook signing (per message, body built each time)',
    'msgs/s',
    ['signed (Standard Webhooks HMAC-SHA256)', signed.perSecond],
    ['unsigned (baseline)', unsigned.perSecond],
  );
  console.log(`  signing costs ${fmt(1e6 / signed.perSecond - 1e6 / unsigned.perSecond)} µs per message`);

  // Deliveries: signed POSTs to the demo receiver, which verifies each signature and de-duplicates;
  // and xAPI statements PUT to its LRS, which checks Basic auth, validates and stores each.
  const receiver = createLmsReceiver(LOCAL_SECRETS.LMS_WEBHOOK_SECRET);
  receiver.server.listen(0, '127.0.0.1');
  await once(receiver.server, 'listening');
  const origin = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
  const http = makeHttpClient();
  const webhook = makeWebhookChannel(`${origin}/webhook`, sign);
  const xapi = makeXapiChannel({
    endpoint: `${origin}/xapi/`,
    username: LOCAL_LRS_USERNAME,
    password: LOCAL_SECRETS.LRS_PASSWORD,
    accountHomePage: 'https://hr.example.org/',
    actor: 'account',
    activityBase: 'urn:attest:policies/',
  });
  /** Requests per second through the HttpClient adapter, `concurrency` at a time. */
  async function throughput(channel: RequestChannel, concurrency: number, run: string): Promise<number> {
    let sent = 0;
    let failed = 0;
    const deliver = async () => {
      const { assignment, starter, evidence } = completion(`${run}_${concurrency}_${sent++}`);
      const { status } = await http.send(channel.request(assignment, starter, evidence, new Date()), 10_000);
      if (status !== 204) failed++;
    };
    const rate = await measure(() => Promise.all(Array.from({ length: concurrency }, deliver)), 2000);
    if (failed) console.log(`  (${failed} failed)`);
    return rate.perSecond * concurrency;
  }
  console.log('\nLMS deliveries to the local demo receiver (2xx), per destination');
  console.log(
    `  ${'concurrency'.padEnd(12)} ${'webhooks/s'.padStart(12)} ${'statements/s'.padStart(14)}   ratio`,
  );
  try {
    for (const concurrency of [1, 8, 32]) {
      const hooks = await throughput(webhook, concurrency, 'w');
      const statements = await throughput(xapi, concurrency, 'x');
      console.log(
        `  ${String(concurrency).padEnd(12)} ${fmt(hooks).padStart(12)} ${fmt(statements).padStart(14)}   ${fmt(statements / hooks)}×`,
      );
    }
  } finally {
    receiver.server.closeAllConnections?.();
    receiver.server.close();
  }
}

/** An agreement as the channels see it, unique per `id` (so the receivers store each one). */
function completion(id: string): { assignment: Assignment; starter: Starter; evidence: Evidence } {
  const evidence: Evidence = {
    evidenceId: `ev_${id}`,
    acknowledgedAt: new Date().toISOString(),
    policyId: 'safe-internet-use',
    policyVersion: 1,
    policyTitle: 'Safe Internet Use – Guidance for Staff',
    policySha256: 'c'.repeat(64),
    statement: 'I understand and agree.',
    typedName: 'Ada Lovelace',
    ipAddress: '127.0.0.1',
    userAgent: 'bench',
    tokenId: 'tok',
    messageId: null,
  };
  const starter: Starter = {
    starterId: `s_${id}`,
    employeeId: `E${id}`,
    givenName: 'Ada',
    familyName: 'Lovelace',
    email: `starter.${id}@example.org`,
    startDate: '2026-12-01',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    policies: ['safe-internet-use'],
    status: 'active',
    updatedAt: new Date().toISOString(),
  };
  const assignment: Assignment = {
    assignmentId: `a_${id}`,
    starterId: starter.starterId,
    policyId: 'safe-internet-use',
    policyVersion: 1,
    policySha256: evidence.policySha256,
    status: 'acknowledged',
    createdAt: evidence.acknowledgedAt,
    sends: [],
    ack: evidence,
    webhook: { state: 'pending', attempts: 0, webhookId: `msg_${id}` },
    xapi: { state: 'pending', attempts: 0, statementId: statementIdFor(evidence.evidenceId) },
  };
  return { assignment, starter, evidence };
}
