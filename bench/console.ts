// Figure: the console's overview of a policy with 10,000 assignments — time to first byte over HTTP, signed in — against the CLI's report of the same data in the same run.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeConsoleQueries } from '#shared/core/console/queries.ts';
import { makeConsoleApp } from '#shared/edge/console/app.ts';
import { makeSealer, SESSION_COOKIE } from '#shared/edge/console/session.ts';
import { consolePages } from '#templates/console/index.ts';
import { runCli } from '../bin/attest.ts';
import { createGateway } from '../local/gateway.ts';
import { median, putItems, startLocalTable } from './local-table.ts';
import { fmt } from './measure.ts';
import { assignment, BENCH_POLICY, NOW, POLICY, starter } from './report.ts';

const ASSIGNED = 10_000;
const DEPARTMENTS = 12;
const MANAGERS = 40;
const RUNS = 5;
const KEY = 'bench-console-session-key-not-a-secret-0123456789';

/** Milliseconds from sending the request to the response's first byte (its status line). */
function timeToFirstByte(
  url: string,
  cookie: string,
): Promise<{ ms: number; status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(url, { headers: { cookie } }, (res) => {
      const ms = performance.now() - start;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ ms, status: res.statusCode ?? 0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function run(): Promise<void> {
  const table = await startLocalTable();
  const { client, store } = table;
  const clock = { now: () => NOW };
  const sealer = makeSealer(KEY);
  const app = makeConsoleApp({
    queries: makeConsoleQueries({
      store,
      clock,
      policies: [POLICY],
      timeZone: 'Europe/London',
      deliveries: ['webhook'],
    }),
    actions: { run: {} as never },
    signIn: {} as never,
    sealer,
    pages: consolePages,
    subjectAccess: {} as never, // not measured
    clock,
    logger: { info() {}, warn() {}, error() {} },
    settings: {
      baseUrl: 'http://127.0.0.1',
      groupsClaim: 'groups',
      adminGroup: 'attest-admins',
      auditorGroup: 'attest-auditors',
      idleMs: 3_600_000,
      lifetimeMs: 8 * 3_600_000,
      policies: [POLICY],
    },
  });
  const gateway = createGateway([{ method: 'GET', path: '/console', handler: app }], {}, (e) =>
    console.error(e),
  );
  const session = {
    subject: 'bench',
    email: 'hr@attest.example',
    role: 'admin',
    csrf: 'bench',
    signedInAt: NOW.getTime(),
    seenAt: NOW.getTime(),
  };
  const cookie = `${SESSION_COOKIE}=${sealer.seal(SESSION_COOKIE, session)}`;
  try {
    await putItems(
      client,
      Array.from({ length: ASSIGNED }, (_, i) =>
        starter(i, {
          department: `Department ${i % DEPARTMENTS}`,
          manager: { name: `Manager ${i % MANAGERS}`, email: `manager.${i % MANAGERS}@example.org` },
        }),
      ),
    );
    await putItems(
      client,
      Array.from({ length: ASSIGNED }, (_, i) => assignment(i, POLICY)),
    );
    await store.putPolicyVersion(BENCH_POLICY);
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/console/`;

    /** `attest report --policy …`: the counts and every unsigned person, as an operator runs it. */
    const cli = async () => {
      let bytes = 0;
      const io = { out: (t: string) => (bytes += t.length), err: () => {} };
      const start = performance.now();
      const code = await runCli(['report', '--policy', POLICY], { store, io, now: () => NOW });
      if (code !== 0) throw new Error(`attest report exited ${code}`);
      return { ms: performance.now() - start, bytes };
    };

    const consoleRuns: number[] = [];
    const cliRuns: number[] = [];
    let pageBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const overview = await timeToFirstByte(url, cookie);
      if (overview.status !== 200) throw new Error(`the overview answered ${overview.status}`);
      consoleRuns.push(overview.ms);
      pageBytes = overview.bytes;
      cliRuns.push((await cli()).ms);
    }
    const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    console.log(
      `\nConsole overview: one policy, ${fmt(ASSIGNED)} assignments, ${DEPARTMENTS} departments, ${MANAGERS} managers (dynalite, in memory; ${RUNS} runs)`,
    );
    console.log(
      `  console overview, time to first byte   median ${fmt(median(consoleRuns))} ms   (${range(consoleRuns)})   page ${fmt(pageBytes / 1024)} KiB`,
    );
    console.log(
      `  attest report (the same data)          median ${fmt(median(cliRuns))} ms   (${range(cliRuns)})`,
    );
    console.log(
      `  overview / report: ${fmt(median(consoleRuns) / median(cliRuns))}× the CLI's time (it reads every row, where the report reads the unsigned ones)`,
    );
  } finally {
    gateway.close();
    await table.stop();
  }
}
