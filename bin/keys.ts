// `attest keys`: the link keys' rotation as an operator runs it, one step a command, each saying when the next may run.
import type { Command } from 'commander';
import { utcMinute } from '#shared/core/dates.ts';
import { AttestError } from '#shared/core/errors.ts';
import {
  DEFAULT_TOKEN_TTL_MS,
  type KeyState,
  makeKeyRotation,
  utcMinuteFrom,
} from '#shared/core/link-keys.ts';
import type { Shell } from './cli.ts';

/** One key on one line, with what may be done with it next. */
export function describeKey(key: KeyState, now: Date): string {
  switch (key.state) {
    case 'signing':
      return `${key.kid}  signing${key.since ? ` since ${utcMinute(key.since)} UTC` : ''}`;
    case 'retiring':
      return `${key.kid}  verifies the links it signed until ${utcMinuteFrom(key.retireFrom)} UTC; ${key.retireFrom <= now ? 'retire it now' : 'retire it then'}`;
    case 'added':
      return `${key.kid}  added ${utcMinute(key.addedAt)} UTC, verifies only; ${key.promoteFrom <= now ? 'promote it now' : `promote it from ${utcMinuteFrom(key.promoteFrom)} UTC`}`;
    case 'unknown':
      return `${key.kid}  verifies only (no record of when it last signed)`;
  }
}

export function addKeysCommands(program: Command, shell: Shell): void {
  const { deps, io, clock } = shell;
  /** The rotation of the vault's keys; the local stack has no vault, its keys being fixed. */
  const rotation = () => {
    if (!deps.keyVault) {
      throw new AttestError(
        'keys.local',
        "Link keys rotate on AWS: set ACK_TOKEN_KEYS_SECRET_ARN to the stack's AckTokenKeysSecretArn output, with AWS" +
          " credentials that may read and write it. The local stack's keys are fixed (ACK_TOKEN_KEYS, printed by npm start).",
      );
    }
    return makeKeyRotation({
      vault: deps.keyVault,
      clock,
      tokenTtlMs: deps.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
    });
  };
  const keys = program
    .command('keys')
    .summary('Rotate the keys that sign acknowledgement links: status, add, promote, retire.')
    .usage('status | add | promote <key-id> | retire <key-id> [--force]')
    .description(
      'Rotate the keys that sign acknowledgement links (on AWS: ACK_TOKEN_KEYS_SECRET_ARN), one step ' +
        'at a time: add a key (it verifies, not signs), promote it once every function knows it (six ' +
        'minutes), retire the old one once the last link it signed has expired (TOKEN_TTL, 30 days by ' +
        'default). Each step refuses to run early; status says when the next may.',
    );

  keys
    .command('status')
    .description('Each key: which signs, and when the next step may run.')
    .action(async () => {
      const now = clock.now();
      for (const key of await rotation().status()) io.out(describeKey(key, now));
    });

  keys
    .command('add')
    .description('Add a key that verifies links but does not sign them yet.')
    .action(async () => {
      const { kid, promoteFrom } = await rotation().add();
      io.out(
        `Added ${kid}: it verifies links but does not sign them yet. The functions read it within six minutes;` +
          ` from ${utcMinuteFrom(promoteFrom)} UTC run: attest keys promote ${kid}`,
      );
    });

  const KEY_ID = 'a key id (attest keys status lists them)';
  keys
    .command('promote')
    .description('Sign new links with this key, once every function knows it (six minutes after add).')
    .argument('<key-id>', KEY_ID)
    .option('--force', 'promote a key with no record of when it was added')
    .action(async (kid: string, options: { force?: boolean }) => {
      const { previous, retireFrom } = await rotation().promote(kid, { force: Boolean(options.force) });
      io.out(
        `${kid} signs new links (within six minutes). ${previous} still verifies the links it signed;` +
          ` from ${utcMinuteFrom(retireFrom)} UTC, when the last of them has expired, run: attest keys retire ${previous}`,
      );
    });

  keys
    .command('retire')
    .description('Remove a key, once every link it signed has expired (TOKEN_TTL after it stopped signing).')
    .argument('<key-id>', KEY_ID)
    .option('--force', 'retire a key with no record of when it stopped signing')
    .action(async (kid: string, options: { force?: boolean }) => {
      await rotation().retire(kid, { force: Boolean(options.force) });
      io.out(`Retired ${kid}: links it signed are no longer accepted.`);
    });
}
