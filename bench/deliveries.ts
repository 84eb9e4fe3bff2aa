// Figures: signed deliveries per second to a local verifying receiver at a few concurrency levels, and the signing cost per message against an unsigned baseline.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { makeWebhookSigner } from '#shared/core/webhooks.ts';
import { createLmsReceiver } from '../local/lms-receiver.ts';
import { LOCAL_SECRETS } from '../local/settings.ts';
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

  // Deliveries: signed POSTs to the demo receiver, which verifies each signature and de-duplicates.
  const receiver = createLmsReceiver(LOCAL_SECRETS.LMS_WEBHOOK_SECRET);
  receiver.server.listen(0, '127.0.0.1');
  await once(receiver.server, 'listening');
  const url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/webhook`;
  const http = makeHttpClient();
  console.log('\nLMS deliveries to a local verifying receiver (signed POST, 2xx)');
  try {
    for (const concurrency of [1, 8, 32]) {
      let sent = 0;
      let failed = 0;
      const deliver = async () => {
        const i = sent++;
        const text = body(i);
        const headers = {
          'content-type': 'application/json',
          ...sign(`msg_${concurrency}_${i}`, new Date(), text),
        };
        const { status } = await http.send({ method: 'POST', url, headers, body: text }, 10_000);
        if (status !== 204) failed++;
      };
      const rate = await measure(() => Promise.all(Array.from({ length: concurrency }, deliver)), 2000);
      console.log(
        `  concurrency ${String(concurrency).padEnd(4)} ${fmt(rate.perSecond * concurrency).padStart(12)} deliveries/s${failed ? `  (${failed} failed)` : ''}`,
      );
    }
  } finally {
    receiver.server.closeAllConnections?.();
    receiver.server.close();
  }
}
