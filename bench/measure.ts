// Measuring throughput: warm up, then run an operation for a fixed time and count.
export interface Rate {
  perSecond: number;
  iterations: number;
}

/** Runs `op` (sync or async) repeatedly for `ms` after a warm-up, returning operations per second. */
export async function measure(op: () => unknown, ms: number, warmup = Math.min(ms / 4, 500)): Promise<Rate> {
  const until = (deadline: number) => performance.now() < deadline;
  let end = performance.now() + warmup;
  while (until(end)) await op();
  let iterations = 0;
  const start = performance.now();
  end = start + ms;
  while (until(end)) {
    await op();
    iterations++;
  }
  return { perSecond: (iterations * 1000) / (performance.now() - start), iterations };
}

export const fmt = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: n < 100 ? 1 : 0 });

/** One figure: the measured value against its baseline, as a ratio. */
export function report(
  title: string,
  unit: string,
  subject: [string, number],
  baseline: [string, number],
): void {
  console.log(`\n${title}`);
  console.log(`  ${subject[0].padEnd(44)} ${fmt(subject[1]).padStart(12)} ${unit}`);
  console.log(`  ${baseline[0].padEnd(44)} ${fmt(baseline[1]).padStart(12)} ${unit}`);
  console.log(
    `  ratio                                        ${fmt(subject[1] / baseline[1]).padStart(12)}×`,
  );
}

/** POSTs one HR event to `POST /v1/starters`, signed as an HR system signs it (Standard Webhooks); its status. */
export async function postSignedStarter(
  api: string,
  webhook: { sign(id: string, at: Date, body: string): string },
  id: string,
  body: string,
): Promise<number> {
  const at = new Date();
  const response = await fetch(`${api}/v1/starters`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': webhook.sign(id, at, body),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
