// Figure: the AWS cost of 1,000 starters who sign, from the synthesised template and the calls counted along both paths (bench/calls.ts), against the same model fed the counts issue 18 measured before.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOALS, PATH_FUNCTIONS, type PathName, type PathRun, runCalls } from './calls.ts';
import { tally } from './counting.ts';
import { median } from './local-table.ts';
import { LAMBDA_PLATFORM_LOG_BYTES, LOG_EVENT_OVERHEAD_BYTES, PRICES } from './prices.ts';

/** The target of issue 18, per 1,000 starters who sign, SES left out. */
export const TARGET_PER_THOUSAND = 0.02;

/** A function as the template deploys it. */
export interface DeployedFunction {
  memoryMb: number;
  arch: 'arm64' | 'x86_64';
  tracing: 'Active' | 'PassThrough';
  logRetentionDays: number | undefined;
}

export interface Deployment {
  functions: Record<string, DeployedFunction>;
  /** X-Ray's sampling, from the template's AWS::XRay::SamplingRule (the lowest rate, when several); X-Ray's default without one. */
  sampling: { fixedRate: number; reservoirPerSecond: number; fromTemplate: boolean };
}

/** The function folder a construct id names: `LmsPush` → `lms-push`. */
const folderOf = (id: string) => id.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();

/** Reads what the cost depends on from a synthesised template. */
export function deploymentOf(template: {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, string> }
  >;
}): Deployment {
  const resources = template.Resources;
  const retention = (ref: unknown): number | undefined => {
    const id = (ref as { Ref?: string } | undefined)?.Ref;
    return id ? (resources[id]?.Properties?.RetentionInDays as number | undefined) : undefined;
  };
  const functions: Record<string, DeployedFunction> = {};
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const id = r.Metadata?.['aws:cdk:path']?.split('/')[1];
    if (!id) continue;
    const p = r.Properties ?? {};
    functions[folderOf(id)] = {
      memoryMb: (p.MemorySize as number | undefined) ?? 128,
      arch: ((p.Architectures as string[] | undefined)?.[0] as 'arm64' | 'x86_64' | undefined) ?? 'x86_64',
      tracing:
        ((p.TracingConfig as { Mode?: string } | undefined)?.Mode as 'Active' | undefined) ?? 'PassThrough',
      logRetentionDays: retention((p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup),
    };
  }
  const rules = Object.values(resources)
    .filter((r) => r.Type === 'AWS::XRay::SamplingRule')
    .map((r) => (r.Properties?.SamplingRule ?? {}) as { FixedRate?: number; ReservoirSize?: number });
  // X-Ray's default rule: the first request each second, then 5 % of the rest.
  const sampling = rules.length
    ? {
        fixedRate: Math.min(...rules.map((r) => r.FixedRate ?? 0)),
        reservoirPerSecond: Math.min(...rules.map((r) => r.ReservoirSize ?? 0)),
        fromTemplate: true,
      }
    : { fixedRate: 0.05, reservoirPerSecond: 1, fromTemplate: false };
  return { functions, sampling };
}

/** What one starter's path asks of AWS, as the model takes it. */
export interface PathUse {
  calls: number;
  rcu: number;
  wcu: number;
  indexWcu: number;
  /** Invocations by function, and the milliseconds each takes. */
  invocations: Record<string, { count: number; ms: number }>;
  /** Bytes and lines each function logs per pass (its own lines). */
  log: Record<string, { bytes: number; lines: number }>;
  /** SQS messages (each sent, received and deleted: three requests). */
  messages: number;
  /** HTTP API requests. */
  httpRequests: number;
  /** Emails sent, and the bytes of their attachments. */
  emails: number;
  attachmentBytes: number;
}

/** The path's use from one counted pass (a warm one), with each function's median duration. */
export function useOf(path: PathName, run: PathRun): PathUse {
  const t = tally(run.calls);
  const invocations: PathUse['invocations'] = {};
  const log: PathUse['log'] = {};
  for (const fn of PATH_FUNCTIONS[path]) {
    invocations[fn] = { count: run.invocations[fn] ?? 0, ms: median(run.durationMs[fn] ?? [0]) };
    log[fn] = { bytes: run.logBytes[fn] ?? 0, lines: run.logLines[fn] ?? 0 };
  }
  return {
    calls: t.calls,
    rcu: t.rcu,
    wcu: t.wcu,
    indexWcu: t.indexWcu,
    invocations,
    log,
    messages: run.messages,
    // The invite's event; the page and the agreement.
    httpRequests: path === 'invite' ? 1 : 2,
    emails: 1,
    // The receipt's certificate: a one-page PDF of about 30 KB (its font subset embedded).
    attachmentBytes: path === 'acknowledgement' ? 30_000 : 0,
  };
}

export type Breakdown = Record<
  | 'dynamodbReads'
  | 'dynamodbWrites'
  | 'lambdaRequests'
  | 'lambdaDuration'
  | 'sqs'
  | 'apiGateway'
  | 'logs'
  | 'xray',
  number
> & { ses: number };

const GB = 1024 ** 3;

/**
 * Dollars per starter who signs (both paths once). X-Ray: each invocation of an actively traced
 * function starts a trace when sampled; `sampled` is the share sampled (1 at low traffic, where
 * the reservoir's one-a-second takes nearly every request; the fixed rate at scale).
 */
export function costPerStarter(uses: PathUse[], deployment: Deployment, sampled: number): Breakdown {
  const b: Breakdown = {
    dynamodbReads: 0,
    dynamodbWrites: 0,
    lambdaRequests: 0,
    lambdaDuration: 0,
    sqs: 0,
    apiGateway: 0,
    logs: 0,
    xray: 0,
    ses: 0,
  };
  for (const use of uses) {
    b.dynamodbReads += (use.rcu * PRICES.dynamodb.perMillionReadRequestUnits) / 1e6;
    b.dynamodbWrites += ((use.wcu + use.indexWcu) * PRICES.dynamodb.perMillionWriteRequestUnits) / 1e6;
    b.sqs += (3 * use.messages * PRICES.sqs.perMillionRequests) / 1e6;
    b.apiGateway += (use.httpRequests * PRICES.apiGateway.perMillionHttpRequests) / 1e6;
    b.ses +=
      (use.emails * PRICES.ses.perThousandEmails) / 1000 +
      (use.attachmentBytes / GB) * PRICES.ses.perGbAttachments;
    for (const [fn, { count, ms }] of Object.entries(use.invocations)) {
      const deployed = deployment.functions[fn];
      if (!deployed) throw new Error(`the template has no function ${fn}`);
      const perGbSecond =
        deployed.arch === 'arm64' ? PRICES.lambda.perGbSecondArm64 : PRICES.lambda.perGbSecondX86;
      b.lambdaRequests += (count * PRICES.lambda.perMillionRequests) / 1e6;
      // Billed by the millisecond, rounded up.
      b.lambdaDuration += count * (Math.ceil(ms) / 1000) * (deployed.memoryMb / 1024) * perGbSecond;
      const { bytes, lines } = use.log[fn] ?? { bytes: 0, lines: 0 };
      const ingested =
        bytes + count * LAMBDA_PLATFORM_LOG_BYTES + (lines + 2 * count) * LOG_EVENT_OVERHEAD_BYTES;
      const months = (deployed.logRetentionDays ?? 3653) / 30;
      b.logs +=
        (ingested / GB) *
        (PRICES.cloudWatchLogs.perGbIngested + months * PRICES.cloudWatchLogs.perGbMonthStored);
      if (deployed.tracing === 'Active')
        b.xray += (count * sampled * PRICES.xray.perMillionTracesRecorded) / 1e6;
    }
  }
  return b;
}

const withoutSes = (b: Breakdown) =>
  Object.entries(b).reduce((sum, [k, v]) => (k === 'ses' ? sum : sum + v), 0);

/**
 * The issue's counts before this work (issue 18, measured from outside): 14 calls per invite and
 * 19 per acknowledgement, every read strongly consistent; the ~8 KB policy item read three times
 * per path at 3 read units, 56–64 % of the reads (so about 14 and 16 read units); the due indexes
 * projecting whole items, half of an invite's write units index writes. The write units are those
 * this bench counted on the code before (7 + 7 and 14 + 18): only reads changed since. Everything
 * else (invocations, durations, logs, messages) is taken from this run, so only the counts differ.
 */
const ISSUE_COUNTS: Record<PathName, Pick<PathUse, 'calls' | 'rcu' | 'wcu' | 'indexWcu'>> = {
  invite: { calls: 14, rcu: 14, wcu: 7, indexWcu: 7 },
  acknowledgement: { calls: 19, rcu: 16, wcu: 14, indexWcu: 18 },
};

function synthesise(): Deployment {
  const outDir = mkdtempSync(join(tmpdir(), 'attest-bench-cost-'));
  try {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outDir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return deploymentOf(JSON.parse(readFileSync(join(outDir, 'Attest.template.json'), 'utf8')));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const usd = (n: number) => `$${n.toFixed(4)}`;

export async function run(): Promise<void> {
  console.log(
    `\nCost per 1,000 starters who sign (${PRICES.region} list prices as of ${PRICES.asOf}, bench/prices.ts)`,
  );
  const deployment = synthesise();
  const { passes } = await runCalls(3);
  const warm = passes[passes.length - 1] as Record<PathName, PathRun>;
  const paths = Object.keys(GOALS) as PathName[];
  const now = paths.map((p) => useOf(p, warm[p]));
  const before = now.map((use, i) => ({ ...use, ...ISSUE_COUNTS[paths[i] as PathName] }));
  const fns = [...new Set(paths.flatMap((p) => PATH_FUNCTIONS[p]))];
  console.log(
    `  template: ${fns
      .map((fn) => {
        const d = deployment.functions[fn];
        return d
          ? `${fn} ${d.memoryMb} MB ${d.arch} ${d.tracing} logs ${d.logRetentionDays ?? '∞'} d`
          : `${fn} ?`;
      })
      .join('; ')}`,
  );
  const s = deployment.sampling;
  console.log(
    `  X-Ray sampling: ${s.fromTemplate ? 'the template’s rule' : 'X-Ray’s default (no rule in the template)'} — ${s.reservoirPerSecond}/s reservoir, then ${s.fixedRate * 100} %`,
  );
  console.log(
    `  counted (warm, per starter): invite ${now[0]?.calls} calls, acknowledgement ${now[1]?.calls}; durations: each handler's median time in the last pass, measured in the bench's child process against dynalite (an estimate of AWS's)`,
  );
  // At low traffic the reservoir samples nearly every request; at scale the fixed rate does.
  const lowTraffic = s.reservoirPerSecond > 0 ? 1 : s.fixedRate;
  const rows: Array<[string, Breakdown]> = [
    ['issue 18’s counts (before)', costPerStarter(before, deployment, lowTraffic)],
    ['now, low traffic (X-Ray reservoir)', costPerStarter(now, deployment, lowTraffic)],
    ['now, at scale (X-Ray fixed rate)', costPerStarter(now, deployment, s.fixedRate)],
  ];
  const cols: Array<[keyof Breakdown, string]> = [
    ['dynamodbReads', 'DDB reads'],
    ['dynamodbWrites', 'DDB writes'],
    ['lambdaRequests', 'λ requests'],
    ['lambdaDuration', 'λ duration'],
    ['sqs', 'SQS'],
    ['apiGateway', 'HTTP API'],
    ['logs', 'Logs'],
    ['xray', 'X-Ray'],
  ];
  console.log(
    `  ${''.padEnd(36)} ${cols.map(([, h]) => h.padStart(10)).join(' ')}  ${'total'.padStart(8)}  ${'SES'.padStart(8)}`,
  );
  for (const [name, b] of rows) {
    const k = (n: number) => usd(n * 1000).padStart(10);
    console.log(
      `  ${name.padEnd(36)} ${cols.map(([c]) => k(b[c])).join(' ')}  ${usd(withoutSes(b) * 1000).padStart(8)}  ${usd(b.ses * 1000).padStart(8)}`,
    );
  }
  const [baseline, low, scale] = rows.map(([, b]) => withoutSes(b) * 1000) as [number, number, number];
  console.log(
    `  target ≤ ${usd(TARGET_PER_THOUSAND)} per 1,000 excluding SES: low traffic ${usd(low)} — ${low <= TARGET_PER_THOUSAND ? 'met' : 'NOT met'}; at scale ${usd(scale)} — ${scale <= TARGET_PER_THOUSAND ? 'met' : 'NOT met'}; ${(low / baseline).toFixed(2)}× issue 18’s counts`,
  );
}
