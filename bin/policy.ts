// `attest policy`: publishing a policy file's text as its next version (optionally asking earlier signers again), and listing the versions.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parsePolicy } from '#shared/core/policy.ts';
import { makeListPolicyVersions, makePublishPolicy } from '#shared/core/publish.ts';
import type { Logger } from '#shared/ports.ts';
import type { Shell } from './cli.ts';

/** The publisher's log lines are for the functions' logs; here its outcome is the answer. */
const quietLogger: Pick<Logger, 'info' | 'warn'> = { info() {}, warn() {} };

export function addPolicyCommands(program: Command, shell: Shell): void {
  const { deps, io, clock } = shell;
  const policy = program
    .command('policy')
    .description('Publish a policy file as its next version; list the versions.');

  policy
    .command('publish')
    .summary("Publish the policy file's text as its next version.")
    .description(
      "Publish the policy file's text as its next version; unchanged text publishes nothing. " +
        'The sweeper sends the emails --reacknowledge asks for on its next run.',
    )
    .argument('<file.md>', 'the policy file, e.g. templates/policies/safe-internet-use.md')
    .option(
      '--reacknowledge',
      'ask everyone who signed an earlier version to sign this one, and everyone still asked ' +
        'for an earlier version to sign this one instead (safe to run again: nobody is asked twice)',
    )
    .action(async (file: string, options: { reacknowledge?: boolean }) => {
      const text = parsePolicy((deps.readFile ?? ((p) => readFileSync(p, 'utf8')))(file));
      const publisher = makePublishPolicy({ store: deps.store, clock, logger: quietLogger });
      const { policy, created } = await publisher.publish(text);
      io.out(
        created
          ? `${policy.policyId}: published version ${policy.version} (sha256 ${policy.sha256})`
          : `${policy.policyId}: unchanged, version ${policy.version} is this text (sha256 ${policy.sha256})`,
      );
      if (!options.reacknowledge) return;
      const outcome = await publisher.reacknowledge(policy);
      io.out(
        `${policy.policyId}: asked ${outcome.asked} who signed an earlier version to sign version ${policy.version}` +
          ` (${outcome.alreadyAsked} asked before, ${outcome.skipped} left or gone); the sweeper sends the emails on its next run`,
      );
      io.out(
        `${policy.policyId}: asked ${outcome.moved} who had not yet signed an earlier version to sign version ${policy.version}` +
          ` instead (${outcome.alreadyMoved} asked before); their earlier links now say so`,
      );
    });

  policy
    .command('versions')
    .description('List the published versions with their sha256.')
    .argument('<policy-id>', 'a policy id, e.g. safe-internet-use')
    .action(async (policyId: string) => {
      for (const p of await makeListPolicyVersions({ store: deps.store })(policyId)) {
        io.out(`${p.policyId} v${p.version}  ${p.publishedAt}  sha256 ${p.sha256}  ${p.title}`);
      }
    });
}
