// Local defaults for the embedded stack: ports, fixed local-only secrets, and the functions' environment.
import { readFileSync } from 'node:fs';
import { ConfigError } from '#shared/core/errors.ts';

/** Local-only secrets: fixed so a developer's HR simulator and LMS receiver keep working across restarts. */
export const LOCAL_SECRETS = {
  HR_WEBHOOK_SECRET: 'whsec_bG9jYWwtaHItd2ViaG9vay1zZWNyZXQtbm90LWZvci1wcm9k',
  LMS_WEBHOOK_SECRET: 'whsec_bG9jYWwtbG1zLXdlYmhvb2stc2VjcmV0LW5vdC1mb3ItcHJvZA==',
  ACK_TOKEN_KEYS: 'k1:local-ack-token-key-not-for-production-0001',
  /** The demo LRS's password (its user is LRS_USERNAME, `attest-local`). */
  LRS_PASSWORD: 'local-lrs-password-not-for-production',
  /** The identity provider's bearer token for /scim/v2. */
  SCIM_TOKEN: 'local-scim-token-not-for-production-0123456789',
  /** The demo Moodle's web-service token (letters and digits, as Moodle issues them). */
  MOODLE_TOKEN: 'localmoodletokennotforproduction0',
  /** The key the console's session cookies are encrypted with (at least 32 characters). */
  CONSOLE_SESSION_KEY: 'local-console-session-key-not-for-production-0123456789',
} as const;

/**
 * The key `attest privacy` makes pseudonyms with for the local stack. Only the CLI holds it (no
 * function does), so it is not among LOCAL_SECRETS; PSEUDONYM_KEY in the environment replaces it.
 */
export const LOCAL_PSEUDONYM_KEY = 'local-pseudonym-key-not-for-production-0123456789';

/**
 * The demo users' password at the local OpenID provider. The provider's, not the functions': the
 * console never sees it, so it is not among the settings `settingsFrom` hands them.
 */
export const LOCAL_CONSOLE_PASSWORD = 'local-console-password-not-for-production';

/** The demo users' password: LOCAL_CONSOLE_PASSWORD from the environment, or the local default. */
export function localConsolePassword(env: NodeJS.ProcessEnv): { password: string; fromEnvironment: boolean } {
  const given = env.LOCAL_CONSOLE_PASSWORD;
  return given
    ? { password: given, fromEnvironment: true }
    : { password: LOCAL_CONSOLE_PASSWORD, fromEnvironment: false };
}

/** The demo LRS's user name: a key id, not a secret. */
export const LOCAL_LRS_USERNAME = 'attest-local';

/** The demo Moodle's course: completion tracked (manual) on one activity, off on the other. */
export const DEMO_ACTIVITIES = { tracked: 42, untracked: 43 } as const;

/**
 * Where each LMS destination reaches the demo receiver on `lmsPort` (its webhook, LRS and Moodle):
 * what `npm start` gives lms-push, and what `attest lms test` uses against the local stack.
 */
export function localLmsSettings(lmsPort: number): Record<string, string> {
  return {
    LMS_WEBHOOK_URL: `http://127.0.0.1:${lmsPort}/webhook`,
    LRS_ENDPOINT: `http://127.0.0.1:${lmsPort}/xapi/`,
    LRS_USERNAME: LOCAL_LRS_USERNAME,
    XAPI_ACCOUNT_HOMEPAGE: 'https://hr.example.org/',
    MOODLE_URL: `http://127.0.0.1:${lmsPort}/moodle/`,
    // The demo course's activity that tracks completion (a real policy names its own in front matter).
    MOODLE_ACTIVITIES: `safe-internet-use=${DEMO_ACTIVITIES.tracked}`,
  };
}

export interface LocalPorts {
  api: number;
  ses: number;
  dynamodb: number;
  sqs: number;
  lms: number;
  /** The local OpenID provider the console signs in with. */
  oidc: number;
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${name} must be a port number, not "${raw}"`);
  return n;
};

/** The variables that place each part of the local stack (DESIGN section 5). */
const PORT_SETTINGS = {
  api: 'PORT',
  ses: 'SES_LOCAL_PORT',
  dynamodb: 'DYNAMODB_LOCAL_PORT',
  sqs: 'SQS_LOCAL_PORT',
  lms: 'LMS_RECEIVER_PORT',
  oidc: 'OIDC_LOCAL_PORT',
} as const satisfies Record<keyof LocalPorts, string>;

/** The documented local ports. */
const DEFAULT_PORTS: LocalPorts = { api: 3000, ses: 8005, dynamodb: 8000, sqs: 9324, lms: 3100, oidc: 3200 };

/** Ports from the environment (DESIGN section 5), with the documented local defaults. */
export function localPorts(env: NodeJS.ProcessEnv): LocalPorts {
  return {
    api: port(env, PORT_SETTINGS.api, DEFAULT_PORTS.api),
    ses: port(env, PORT_SETTINGS.ses, DEFAULT_PORTS.ses),
    dynamodb: port(env, PORT_SETTINGS.dynamodb, DEFAULT_PORTS.dynamodb),
    sqs: port(env, PORT_SETTINGS.sqs, DEFAULT_PORTS.sqs),
    lms: port(env, PORT_SETTINGS.lms, DEFAULT_PORTS.lms),
    oidc: port(env, PORT_SETTINGS.oidc, DEFAULT_PORTS.oidc),
  };
}

/**
 * The port settings of `ports` that are not the defaults, as a command's prefix
 * (`PORT=4400 DYNAMODB_LOCAL_PORT=4401 `): what a command the stack or the demo suggests needs to
 * reach this stack rather than one on the default ports. Empty when every port is the default.
 */
export function portPrefix(ports: LocalPorts): string {
  return (Object.keys(PORT_SETTINGS) as (keyof LocalPorts)[])
    .filter((key) => ports[key] !== DEFAULT_PORTS[key])
    .map((key) => `${PORT_SETTINGS[key]}=${ports[key]} `)
    .join('');
}

/**
 * The local SES account's send quota: SES_LOCAL_MAX_SEND_RATE (emails a second, a fraction allowed)
 * and SES_LOCAL_MAX_24_HOUR_SEND (emails a day, -1 for no limit), each over `fallback`'s.
 */
export function localSesQuota(
  env: NodeJS.ProcessEnv,
  fallback: { maxSendRate: number; max24HourSend: number },
): { maxSendRate: number; max24HourSend: number } {
  const read = (name: string, given: number, valid: (n: number) => boolean, what: string) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return given;
    const n = Number(raw);
    if (!valid(n)) throw new Error(`${name} must be ${what}, not "${raw}"`);
    return n;
  };
  return {
    maxSendRate: read(
      'SES_LOCAL_MAX_SEND_RATE',
      fallback.maxSendRate,
      (n) => Number.isFinite(n) && n > 0,
      'a positive number of emails a second',
    ),
    max24HourSend: read(
      'SES_LOCAL_MAX_24_HOUR_SEND',
      fallback.max24HourSend,
      (n) => Number.isInteger(n) && n >= -1,
      'a whole number of emails a day (-1: no limit)',
    ),
  };
}

export const LOCAL_REGION = 'eu-west-2';
/** What the emulators accept: any credentials, so fixed ones that can reach nothing real. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const TABLE_NAME = 'attest';
/** The local mail queue's name: the stack makes it, and the CLI finds it by it. */
export const MAIL_QUEUE_NAME = 'attest-mail';
/** The local LMS queue's name (emulators.ts makes it), for the CLI's backfill. */
export const LMS_QUEUE_NAME = 'attest-lms';

/** Where every setting is listed, with its local default: the one list `npm start` reads. */
const ENV_EXAMPLE = new URL('../.env.example', import.meta.url);

/**
 * The settings `.env.example` lists: `NAME=value`, or `# NAME=value` for one with no local
 * default. A setting added there is taken by `npm start` with no second list to keep.
 */
export function settingNames(text = readFileSync(ENV_EXAMPLE, 'utf8')): string[] {
  return [...text.matchAll(/^#?[ \t]*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string);
}

/**
 * Settings never handed to the functions: the demo users' password (`localConsolePassword`), the
 * stack's own; and erasure's key, which only the CLI (`attest privacy`) holds.
 */
const STACK_SETTINGS = [
  'LOCAL_CONSOLE_PASSWORD',
  'PSEUDONYM_KEY',
  'SES_LOCAL_MAX_SEND_RATE',
  'SES_LOCAL_MAX_24_HOUR_SEND',
];
/** The settings `.env.example` lists for the CLI alone (bin/attest.ts reads them), never the functions. */
export const CLI_SETTINGS = ['PSEUDONYM_KEY'];

/**
 * The settings in `env` that `npm start` hands to the functions over the local defaults: every one
 * `.env.example` lists but those of the stack itself: the ports that place it (`localPorts`),
 * the demo users' password (`localConsolePassword`) and the CLI's PSEUDONYM_KEY. The resources
 * the stack makes (TABLE_NAME, the queue URLs) are not settings here: a shell that has TABLE_NAME
 * set for the CLI on AWS must not point the local functions at it.
 */
export function settingsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const own = new Set<string>([...Object.values(PORT_SETTINGS), ...STACK_SETTINGS]);
  return Object.fromEntries(
    settingNames()
      .filter((name) => !own.has(name) && env[name])
      .map((name) => [name, env[name] as string]),
  );
}
