// Local defaults for the embedded stack: ports, fixed local-only secrets, and the functions' environment.

/** Local-only secrets: fixed so a developer's HR simulator and LMS receiver keep working across restarts. */
export const LOCAL_SECRETS = {
  HR_WEBHOOK_SECRET: 'whsec_bG9jYWwtaHItd2ViaG9vay1zZWNyZXQtbm90LWZvci1wcm9k',
  LMS_WEBHOOK_SECRET: 'whsec_bG9jYWwtbG1zLXdlYmhvb2stc2VjcmV0LW5vdC1mb3ItcHJvZA==',
  ACK_TOKEN_KEYS: 'k1:local-ack-token-key-not-for-production-0001',
  /** The demo LRS's password (its user is LRS_USERNAME, `attest-local`). */
  LRS_PASSWORD: 'local-lrs-password-not-for-production',
} as const;

/** The demo LRS's user name: a key id, not a secret. */
export const LOCAL_LRS_USERNAME = 'attest-local';

export interface LocalPorts {
  api: number;
  ses: number;
  dynamodb: number;
  sqs: number;
  lms: number;
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`${name} must be a port number, not "${raw}"`);
  return n;
};

/** Ports from the environment (DESIGN section 5), with the documented local defaults. */
export function localPorts(env: NodeJS.ProcessEnv): LocalPorts {
  return {
    api: port(env, 'PORT', 3000),
    ses: port(env, 'SES_LOCAL_PORT', 8005),
    dynamodb: port(env, 'DYNAMODB_LOCAL_PORT', 8000),
    sqs: port(env, 'SQS_LOCAL_PORT', 9324),
    lms: port(env, 'LMS_RECEIVER_PORT', 3100),
  };
}

export const LOCAL_REGION = 'eu-west-2';
export const TABLE_NAME = 'attest';

/** The settings `npm start` passes from its environment to the functions, over the local defaults. */
const PASSTHROUGH = [
  'SWEEP_INTERVAL',
  'REDRIVE_AFTER',
  'REMINDER_OFFSETS',
  'ESCALATION_OFFSET',
  'SEND_WINDOW',
  'DIGEST_DELAY',
  'LMS_RETRY_SCHEDULE',
  'TOKEN_TTL',
  'FRESH_LINK_INTERVAL',
  'LEASE',
  'LMS_TIMEOUT',
  'DEFAULT_POLICIES',
  'LMS_WEBHOOK_URL',
  'LMS_MODE',
  'LRS_ENDPOINT',
  'LRS_USERNAME',
  'LRS_PASSWORD',
  'XAPI_ACCOUNT_HOMEPAGE',
  'XAPI_ACTOR',
  'XAPI_ACTIVITY_BASE',
  'PUBLIC_BASE_URL',
  'ORGANISATION_NAME',
  'MAIL_FROM',
  'LOG_LEVEL',
];

/** The settings in `env` that `npm start` hands to the functions over the local defaults. */
export function settingsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    PASSTHROUGH.filter((name) => env[name]).map((name) => [name, env[name] as string]),
  );
}
