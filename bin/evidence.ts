// `attest evidence`: the evidence of an agreement as JSON, or the exact text that was shown (for `| sha256sum`).
import type { Command } from 'commander';
import { NotFoundError } from '#shared/core/errors.ts';
import { makeEvidenceReport, makeFindAssignments } from '#shared/core/evidence.ts';
import { findErased, PSEUDONYM_PREFIX } from '#shared/core/privacy/erase.ts';
import { type Shell, UsageError } from './cli.ts';

export function addEvidenceCommand(program: Command, shell: Shell): void {
  const { deps, io } = shell;

  /** An erased person's assignments of a policy, found by the pseudonym evidence shows them as. */
  async function erasedAssignments(pseudonym: string, policyId: string): Promise<string[]> {
    const person = await findErased(deps.store, pseudonym);
    if (!person) throw new NotFoundError('starter.not_found', `No erased person ${pseudonym}.`);
    const found = await deps.store.getAssignments(person.assignmentIds);
    const ids = [...found.values()].filter((a) => a.policyId === policyId).map((a) => a.assignmentId);
    if (!ids.length)
      throw new NotFoundError('assignment.not_found', `${pseudonym} has no ${policyId} assignment.`);
    return ids;
  }

  program
    .command('evidence')
    .summary('The evidence of an agreement: who agreed to what, when and how.')
    .usage('<assignment-id> [--text] | --employee <employee-id> --policy <policy-id> [--text]')
    .description(
      'The evidence of an agreement as JSON: who, what (version and sha256, checked against the ' +
        'stored text), when, how (IP, user agent, token, email), and the audit trail.',
    )
    .argument('[assignment-id]', 'the assignment')
    .option(
      '--employee <employee-id>',
      "instead of the assignment: the employee's (or an erased person's pseudonym), with --policy",
    )
    .option('--policy <policy-id>', 'the policy, with --employee: every version they were asked to sign')
    .option('--text', 'print the exact text that was shown instead')
    .action(
      async (
        assignmentId: string | undefined,
        options: { employee?: string; policy?: string; text?: boolean },
        command: Command,
      ) => {
        let ids: string[];
        if (assignmentId) ids = [assignmentId];
        else if (options.employee?.startsWith(PSEUDONYM_PREFIX) && options.policy) {
          ids = await erasedAssignments(options.employee, options.policy);
        } else if (options.employee && options.policy) {
          ids = await makeFindAssignments({ store: deps.store })(options.employee, options.policy);
        } else {
          throw new UsageError(
            'evidence needs an assignment id, or --employee <id> and --policy <id>',
            command,
          );
        }
        const reporter = makeEvidenceReport(deps.store);
        for (const id of ids) {
          const { report, text } = await reporter.report(id);
          // io.out ends the line: the text's own final newline is dropped, so the bytes printed are
          // exactly the canonical text and `… --text | sha256sum` gives the evidence's sha256.
          io.out(options.text ? text.replace(/\n$/, '') : JSON.stringify(report, null, 2));
        }
      },
    );
}
