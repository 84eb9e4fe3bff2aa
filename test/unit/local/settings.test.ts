// The local stack's settings: `npm start` takes every documented one, and its fixed secrets are what every Standard Webhooks library accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CLI_SETTINGS,
  LOCAL_CONSOLE_PASSWORD,
  LOCAL_SECRETS,
  localConsolePassword,
  localPorts,
  localSesQuota,
  portPrefix,
  settingNames,
  settingsFrom,
} from '../../../local/settings.ts';

const ENV_EXAMPLE = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The rows of README's settings table: the variables each names, and its text. */
function readmeSettings(): Array<{ names: string[]; row: string }> {
  const section = README.slice(
    README.indexOf('\n## Settings\n'),
    README.indexOf('\n## ', README.indexOf('\n## Settings\n') + 1),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((row) => ({
      names: [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string),
      row,
    }));
}

/** The variables .env.example sets (`NAME=…`) or shows commented out (`# NAME=…`, no local default). */
const exampleNames = () =>
  [...ENV_EXAMPLE.matchAll(/^#?[ \t]*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string);

/** Python's `b64decode(validate=True)` and PHP's strict decoder refuse what does not survive this. */
const strictBase64 = (text: string) => text !== '' && Buffer.from(text, 'base64').toString('base64') === text;

describe('LOCAL_SECRETS', () => {
  it('holds whsec_ secrets that are padded base64 a strict decoder accepts', () => {
    // Prepare
    const secrets = Object.values(LOCAL_SECRETS).filter((s) => s.startsWith('whsec_'));
    const inExample = [...ENV_EXAMPLE.matchAll(/^[A-Z_]+=(whsec_\S*)/gm)].map((m) => m[1] as string);

    // Act
    const refused = [...secrets, ...inExample].filter((s) => !strictBase64(s.slice('whsec_'.length)));

    // Assess
    expect(secrets).toHaveLength(2);
    expect(inExample.length).toBeGreaterThanOrEqual(2);
    expect(refused).toEqual([]);
  });

  it('gives .env.example the values the local stack uses', () => {
    // Act
    const example = (name: string) => new RegExp(`^${name}=(\\S*)`, 'm').exec(ENV_EXAMPLE)?.[1];

    // Assess
    for (const [name, value] of Object.entries(LOCAL_SECRETS)) expect(example(name), name).toBe(value);
    expect(example('LOCAL_CONSOLE_PASSWORD')).toBe(LOCAL_CONSOLE_PASSWORD);
  });
});

describe('settingsFrom', () => {
  it('takes every setting .env.example lists from the environment: the ports, the demo users’ password, and the rest for the functions', () => {
    // Prepare
    const names = exampleNames();
    const env = Object.fromEntries(names.map((name) => [name, '4321']));

    // Act
    const taken = settingsFrom(env);
    const ignored = names.filter((name) => {
      const asPort = localPorts({ [name]: '4321' });
      const asPassword = localConsolePassword({ [name]: '4321' }).fromEnvironment;
      const asQuota = Object.values(localSesQuota({ [name]: '4321' }, { maxSendRate: 1, max24HourSend: 1 }));
      return (
        !(name in taken) && !Object.values(asPort).includes(4321) && !asPassword && !asQuota.includes(4321)
      );
    });

    // Assess: the CLI's own (erasure's key) are never handed to a function
    expect(names).toEqual(expect.arrayContaining(['HR_WEBHOOK_SECRET', 'PORT', 'SES_CONFIGURATION_SET']));
    expect(ignored).toEqual(CLI_SETTINGS);
    for (const name of CLI_SETTINGS) expect(taken).not.toHaveProperty(name);
  });

  it("lists in .env.example every setting of README's table but the resources the stack makes itself", () => {
    // Prepare
    const rows = readmeSettings();

    // Act
    const missing = rows
      .filter(({ row }) => !row.includes('set by CDK / the local stack'))
      .flatMap(({ names }) => names)
      .filter((name) => !exampleNames().includes(name));

    // Assess
    expect(rows.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('leaves the resources the local stack makes to it, whatever the shell says', () => {
    // Prepare
    const own = readmeSettings()
      .filter(({ row }) => row.includes('set by CDK / the local stack'))
      .flatMap(({ names }) => names);

    // Act
    const taken = settingsFrom(Object.fromEntries(own.map((name) => [name, 'from-the-shell'])));

    // Assess
    expect(own).toEqual([
      'MAILER_CONCURRENCY',
      'MAILER_EVENT_SOURCE',
      'TABLE_NAME',
      'MAIL_QUEUE_URL',
      'LMS_QUEUE_URL',
    ]);
    expect(taken).toEqual({});
  });

  it('keeps the demo users’ password from the functions, and the console’s session key for them', () => {
    // Prepare
    const env = { LOCAL_CONSOLE_PASSWORD: 'a-password-of-my-own', CONSOLE_SESSION_KEY: 'k'.repeat(40) };

    // Act
    const taken = settingsFrom(env);

    // Assess
    expect(taken).toEqual({ CONSOLE_SESSION_KEY: 'k'.repeat(40) });
    expect(localConsolePassword(env)).toEqual({ password: 'a-password-of-my-own', fromEnvironment: true });
    expect(localConsolePassword({ LOCAL_CONSOLE_PASSWORD: '' })).toEqual({
      password: LOCAL_CONSOLE_PASSWORD,
      fromEnvironment: false,
    });
  });

  it('takes nothing that is not set, or set empty', () => {
    // Act and assess
    expect(settingsFrom({ HR_WEBHOOK_SECRET: '', MAIL_FROM: undefined })).toEqual({});
  });
});

describe('settingNames', () => {
  it('reads set and commented-out variables, not prose', () => {
    // Prepare
    const text =
      '# --- Email ---\nMAIL_FROM=a@b.example   # the sender\n# REPLY_TO=hr@b.example\n#   MAYBE_SENT_GRACE=PT30S\n# Keys: kid:secret pairs, e.g. k1=…\n';

    // Act and assess
    expect(settingNames(text)).toEqual(['MAIL_FROM', 'REPLY_TO', 'MAYBE_SENT_GRACE']);
  });
});

describe('portPrefix', () => {
  it('names each port setting that is not the default, in the order they place the stack', () => {
    // Act
    const none = portPrefix(localPorts({}));
    const some = portPrefix(localPorts({ PORT: '4400', SQS_LOCAL_PORT: '4402', SES_LOCAL_PORT: '8005' }));

    // Assess: the default SES port is left out
    expect(none).toBe('');
    expect(some).toBe('PORT=4400 SQS_LOCAL_PORT=4402 ');
  });
});
