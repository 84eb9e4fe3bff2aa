// `npm start`: the whole pipeline on this machine, on 127.0.0.1, until Ctrl-C.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_USERS } from './oidc-provider.ts';
import { LOCAL_SES_QUOTA } from './ses-quota.ts';
import {
  LOCAL_SECRETS,
  localConsolePassword,
  localPorts,
  localSesQuota,
  portPrefix,
  settingsFrom,
} from './settings.ts';
import { startLocalStack } from './stack.ts';

const USAGE = `Usage: npm start [-- --in-memory] [-- --data-dir DIR]

Starts attest locally: DynamoDB (dynalite), SQS (fauxqs), SES (aws-ses-v2-local), the API gateway,
queue pollers, the sweeper, a demo LMS receiver and a demo OpenID provider for the HR console.
Ports come from PORT, SES_LOCAL_PORT, DYNAMODB_LOCAL_PORT, SQS_LOCAL_PORT, LMS_RECEIVER_PORT and
OIDC_LOCAL_PORT. The console's demo users sign in with LOCAL_CONSOLE_PASSWORD (a local default
unless set).

  --in-memory      keep DynamoDB's data and the mailbox in memory (default: under .local/dynamodb)
  --data-dir DIR   keep DynamoDB's data and the mailbox in DIR
  -h, --help       show this help`;

function fail(message: string): never {
  console.error(`attest: ${message}\n\n${USAGE}`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      'in-memory': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args['in-memory'] && args['data-dir']) fail('--in-memory and --data-dir cannot be used together');

const dataDir = args['in-memory'] ? undefined : resolve(args['data-dir'] ?? '.local/dynamodb');
if (dataDir) mkdirSync(dataDir, { recursive: true });

const started = Date.now();
const taken = settingsFrom(process.env);
// A person reads this output: the functions write one readable line an entry unless LOG_FORMAT=json.
// The default is set here, not in the stack: the stacks tests start write their settings into the
// environment their workers inherit, and there the functions keep Powertools' JSON.
const env = { LOG_FORMAT: 'pretty', ...taken };
const consolePassword = localConsolePassword(process.env);
let sesQuota: ReturnType<typeof localSesQuota>;
let ports: ReturnType<typeof localPorts>;
try {
  sesQuota = localSesQuota(process.env, LOCAL_SES_QUOTA);
  ports = localPorts(process.env);
} catch (error) {
  fail((error as Error).message);
}
const stack = await startLocalStack({
  ports,
  dataDir,
  env,
  consolePassword: consolePassword.password,
  sesQuota,
}).catch((error) => {
  const hint =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? ' (is another attest already running? set the *_PORT variables)'
      : '';
  console.error(`attest: could not start: ${(error as Error).message}${hint}`);
  process.exit(1);
});

// The ports as they are (a port of 0 is one the system chose): the demo and the CLI need them unless they are the defaults.
const portOf = (url: string) => Number(new URL(url).port);
const prefix = portPrefix({
  api: portOf(stack.urls.api),
  ses: portOf(stack.urls.mailbox),
  dynamodb: portOf(stack.urls.dynamodb),
  sqs: portOf(stack.urls.sqs),
  lms: portOf(stack.urls.lms),
  oidc: portOf(stack.urls.oidc),
});

console.log(`
attest is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  API and signing pages  ${stack.urls.api}        (health: ${stack.urls.api}/healthz)
  SCIM 2.0 (Okta, Entra) ${stack.urls.api}/scim/v2   Authorization: Bearer $SCIM_TOKEN
  HR console             ${stack.urls.console}   ${consoleSignIn()}
  OpenID provider (demo) ${stack.urls.oidc}
  Mailbox (sent email)   ${stack.urls.mailbox}
  Demo LMS receiver      ${stack.urls.lms}   LMS_MODE=${stack.env.LMS_MODE} (webhook, xapi, moodle, comma-separated)
  DynamoDB (dynalite)    ${stack.urls.dynamodb}   data: ${dataDir ?? 'in memory'}
  SQS (fauxqs)           ${stack.urls.sqs}

  Secrets in force (for your HR simulator and LMS; the local defaults are for this machine only):
${secretLines()}
    Demo LRS (${stack.env.LRS_ENDPOINT}): LRS_USERNAME=${stack.env.LRS_USERNAME} LRS_PASSWORD=${stack.env.LRS_PASSWORD}
    Demo Moodle (${stack.env.MOODLE_URL}): MOODLE_TOKEN=${stack.env.MOODLE_TOKEN}${settingLines()}

  Try it: ${prefix}npm run demo        The CLI: ${prefix}npx attest --help        Stop: Ctrl-C
`);

/** The secrets the functions hold, each marked with where it came from. */
function secretLines(): string {
  return (
    [
      'HR_WEBHOOK_SECRET',
      'LMS_WEBHOOK_SECRET',
      'ACK_TOKEN_KEYS',
      'SCIM_TOKEN',
      'CONSOLE_SESSION_KEY',
    ] as const
  )
    .map(
      (name) =>
        `    ${name}=${stack.env[name]}  (${name in taken ? 'from your environment' : 'local default'})`,
    )
    .join('\n');
}

/** Who may sign in to the console, and with which password (and where it came from); or whose provider it uses. */
function consoleSignIn(): string {
  if (taken.OIDC_ISSUER)
    return `signs in with your provider, OIDC_ISSUER=${taken.OIDC_ISSUER} (not the demo one)`;
  const users = DEMO_USERS.map((user) => `${user.email} (${user.role})`).join(' or ');
  const from = consolePassword.fromEnvironment ? 'from your environment' : 'local default';
  return `sign in as ${users}, password: LOCAL_CONSOLE_PASSWORD=${consolePassword.password}  (${from})`;
}

/** The other settings taken from the environment over the local defaults, if any. */
function settingLines(): string {
  const names = Object.keys(taken).filter((name) => !(name in LOCAL_SECRETS));
  if (!names.length) return '';
  return `\n\n  Settings from your environment:\n${names.map((name) => `    ${name}=${stack.env[name]}`).join('\n')}`;
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
