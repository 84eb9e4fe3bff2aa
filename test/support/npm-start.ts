// `npm start` as a user runs it, in a child process of its own: for tests of what only a real start shows.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { waitFor } from './local.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Ports free now, for PORT and the emulators' *_PORT variables. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A place for a whole stack on ports free now: the *_PORT settings that put it there, and its URLs. */
export async function freePlace() {
  const [api, ses, dynamodb, sqs, lms, oidc] = (await freePorts(6)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    settings: {
      PORT: String(api),
      SES_LOCAL_PORT: String(ses),
      DYNAMODB_LOCAL_PORT: String(dynamodb),
      SQS_LOCAL_PORT: String(sqs),
      LMS_RECEIVER_PORT: String(lms),
      OIDC_LOCAL_PORT: String(oidc),
    },
    urls: {
      api: url(api),
      console: `${url(api)}/console/`,
      oidc: url(oidc),
      mailbox: url(ses),
      lms: url(lms),
      dynamodb: url(dynamodb),
      sqs: url(sqs),
    },
  };
}

/**
 * `npm start -- ARGS` (by default `--in-memory`) in its own process group, with only the user's basics from this
 * environment (the test run's own local stack has set its settings in process.env).
 */
export function npmStart(settings: Record<string, string>, args: string[] = ['--in-memory']) {
  const basics = ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR', 'npm_config_cache'];
  const env = Object.fromEntries(basics.filter((n) => process.env[n]).map((n) => [n, process.env[n]]));
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: ROOT,
    detached: true,
    env: { ...env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { out: '', err: '' };
  child.stdout?.on('data', (chunk) => {
    output.out += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output.err += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  return { child, output, exited };
}

/** Stops the whole process group (npm, its shell, tsx and node), and leaves nothing behind. */
export async function stop(child: ChildProcess, exited: Promise<unknown>) {
  const group = -(child.pid as number);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // ESRCH: the group has gone already.
    }
  };
  signal('SIGTERM');
  const late = setTimeout(() => signal('SIGKILL'), 15_000);
  await exited;
  clearTimeout(late);
  signal('SIGKILL');
}

/** Waits for `npm start` to say it is running; if it exits first, fails with what it printed. */
export async function untilReady({ output, exited }: ReturnType<typeof npmStart>): Promise<void> {
  await Promise.race([
    waitFor('npm start to be ready', async () =>
      output.out.includes('attest is running locally') ? true : undefined,
    ),
    exited.then(([code]) => {
      throw new Error(`npm start exited (${code}):\n${output.out}\n${output.err}`);
    }),
  ]);
}

/**
 * The exit code of an `npm start` expected to refuse its settings: undefined if it started anyway
 * (it is stopped then rather than waited for, which is a failure too). Always leaves nothing running.
 */
export async function refusal(run: ReturnType<typeof npmStart>): Promise<number | null | undefined> {
  try {
    const outcome = await Promise.race([
      run.exited.then(([exitCode]) => ({ exitCode: exitCode as number | null })),
      waitFor(
        'npm start to refuse',
        async () =>
          run.output.out.includes('attest is running locally') ? { exitCode: undefined } : undefined,
        60_000,
      ),
    ]);
    return outcome.exitCode;
  } finally {
    await stop(run.child, run.exited);
  }
}
