// Figure: the acknowledgement page rendered per second, with the policy's HTML kept per version vs re-rendered from Markdown each time.
import { Marked } from 'marked';
import { parseTokenKeys, stampShown } from '#shared/core/tokens.ts';
import { renderAckPage } from '#templates/ack-page.ts';
import { getBundledPolicy } from '#templates/policies.ts';
import { measure, report } from './measure.ts';

export async function run(): Promise<void> {
  const text = getBundledPolicy('safe-internet-use');
  if (!text) throw new Error('policy missing');
  const policy = { ...text, version: 1, publishedAt: '2026-11-24T09:00:00.000Z' };
  const keys = parseTokenKeys('k1:bench-token-key-bench-token-key-0001');
  // Each page carries a freshly signed stamp of when it was shown, as the ack function makes it.
  const render = () =>
    renderAckPage({ policy, formAction: '/ack/k1.AAAA', shown: stampShown(keys, 'AAAAAAAAAAA', new Date()) });
  // The baseline renders the Markdown on every request, as a page without the per-version cache would.
  const marked = new Marked();
  const uncached = () => `${render().length}${marked.parse(policy.body, { async: false }).length}`;
  const cached = await measure(render, 2000);
  const baseline = await measure(uncached, 2000);
  report(
    'Acknowledgement page render',
    'pages/s',
    ['policy HTML kept per version', cached.perSecond],
    ['Markdown re-rendered per request (baseline)', baseline.perSecond],
  );
}
