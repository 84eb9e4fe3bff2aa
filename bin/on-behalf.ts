// `attest accept-on-behalf`: record an agreement made offline (on paper, or assisted) for a person, as evidence marked so.
import type { Command } from 'commander';
import { checkNote, checkRecorder, makeAcceptOnBehalf } from '#shared/core/accept-on-behalf.ts';
import { ValidationError } from '#shared/core/errors.ts';
import { isLanguage, LANGUAGES, languageName } from '#shared/core/language.ts';
import { methodOf } from '#shared/core/model.ts';
import { oneOf, type Shell, UsageError } from './cli.ts';

const HELP_AFTER = `
For someone who agreed offline — on a paper form, or read to and assisted —
and cannot sign through the link. Only their current ask (the policy's newest
version), not yet signed and not withdrawn, can be accepted. The evidence says
"on behalf", with your note and your name, the person's name as HR holds it,
and no IP address, browser or link; the report's method column says so, and
the LMS is told (webhook "method": "on-behalf", xAPI urn:attest:xapi:method).
The person gets the receipt email, as after signing.

--note is required: how and when they agreed (3 letters or more, at most 500
characters, nothing invisible). --by is your name, as the audit trail keeps it.

The agreement is recorded in the language their invite used: Welsh when their
locale is Welsh and the policy has a Welsh translation, else English — the
evidence's text, statement and sha256, and so the receipt and certificate,
are in it. --language says otherwise (en, or cy when the policy has Welsh).

Run again, it answers "already signed" and changes nothing. The LMS deliveries
and the receipt are owed in the same write; the mailer sends the receipt now
when the mail queue is reachable (MAIL_QUEUE_URL with TABLE_NAME), and the
sweeper sends whatever is owed on its next run (LMS_MODE names the
destinations, webhook unless set). Exit codes: 0 recorded or already signed,
1 not found or withdrawn, 2 the command was called wrongly (a missing or
refused --note or --by).`;

export function addOnBehalfCommand(program: Command, shell: Shell): void {
  program
    .command('accept-on-behalf')
    .summary('Record an agreement made offline (paper, assisted) on a person’s behalf.')
    .description(
      'Record that an employee agreed to the current version of a policy offline, on their behalf: ' +
        'evidence marked as such, with a note and who recorded it; the receipt and LMS deliveries follow.',
    )
    .requiredOption('--employee <id>', "the HR system's employee id")
    .requiredOption('--policy <policy-id>', 'the policy, e.g. safe-internet-use')
    .option(
      '--note <text>',
      'required: how and when they agreed, e.g. "paper form signed at induction, 3 Dec"',
    )
    .option('--by <name>', 'required: your name, recorded as who vouched for the agreement')
    .option(
      '--language <language>',
      `the language they read the policy in, ${oneOf(LANGUAGES)} (default: their locale's, as their invite)`,
    )
    .addHelpText('after', HELP_AFTER)
    .action(
      async (
        options: { employee: string; policy: string; note?: string; by?: string; language?: string },
        command: Command,
      ) => {
        const { deps, clock, io } = shell;
        // Checked before the table is read: a refused note or name is a usage mistake (exit 2).
        try {
          checkNote(options.note);
          checkRecorder(options.by);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const issue = error.issues[0];
          throw new UsageError(`--${issue?.field}: ${issue?.message}`, command);
        }
        const { language } = options;
        if (language !== undefined && !isLanguage(language)) {
          throw new UsageError(
            `--language must be ${oneOf(LANGUAGES)}, not ${JSON.stringify(language)}`,
            command,
          );
        }
        const { acceptOnBehalf } = makeAcceptOnBehalf({
          store: deps.store,
          ...(deps.mailQueue && { mailQueue: deps.mailQueue }),
          clock,
          logger: { warn: (message) => io.err(`attest: ${message}`) },
          deliveries: deps.deliveries ?? ['webhook'],
          // No LMS queue here: the deliveries are due at once, for the sweeper's next run.
          redriveAfterMs: 0,
        });
        const outcome = await acceptOnBehalf(options.employee, options.policy, {
          note: options.note,
          recordedBy: options.by,
          audit: { by: options.by?.trim() ?? '' },
          ...(language && { language }),
        });
        const { assignmentId, evidence } = outcome;
        if (!outcome.recorded) {
          const how =
            methodOf(evidence) === 'on-behalf' ? 'recorded on their behalf' : 'signed through the link';
          io.out(
            `${assignmentId}: already signed (${how}, ${evidence.acknowledgedAt}, evidence ${evidence.evidenceId}); nothing changed.`,
          );
          return;
        }
        io.out(
          `${assignmentId}: agreement recorded on behalf of ${options.employee} in ${languageName(evidence.locale ?? 'en')} (evidence ${evidence.evidenceId}); the receipt and LMS deliveries are owed.`,
        );
      },
    );
}
