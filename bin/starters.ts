// `attest import starters`, `attest starter add`, `starter resend` and `starter cancel`: starters from a CSV file or the command line, through the ingest use case, and a fresh invite for one.

import { createHash } from 'node:crypto';
import cliProgress from 'cli-progress';
import { type Command, Option } from 'commander';
import { AttestError, NotFoundError } from '#shared/core/errors.ts';
import { starterIdFor } from '#shared/core/ids.ts';
import { type ImportSummary, makeImportStarters } from '#shared/core/import-starters.ts';
import { makeIngestStarterEvent, policyCatalogue } from '#shared/core/ingest.ts';
import { LOOK_AT_ONCE } from '#shared/core/privacy/retention.ts';
import { makeResendInvite } from '#shared/core/resend-invite.ts';
import {
  CLI_SOURCE,
  CSV_SOURCE,
  REQUIRED_COLUMNS,
  readStarterCsv,
  STARTER_COLUMNS,
  type StarterRow,
} from '#shared/core/sources/csv.ts';
import { starterEventSchema } from '#shared/core/starter-event.ts';
import { type CliDeps, readTextFile, type Shell } from './cli.ts';

/** Said under both commands' options: what they need besides the table. */
const NEEDS = `
Each starter goes through the same ingest as the signed webhook: the same
checks, and the invites sent by the mailer. Besides the table, it needs the
mail queue: MAIL_QUEUE_URL when TABLE_NAME is set; the local stack's queue
(on SQS_LOCAL_PORT, 9324 by default) when it is not. Policies left out are
decided by the audience rules (\`attest audience explain\` says how): the
default set, DEFAULT_POLICIES (safe-internet-use unless set) unless the rules
file gives one, and each matching rule's.`;

const IMPORT_HELP_AFTER = `
The file is UTF-8 (a BOM is fine; Excel's "CSV (Comma delimited)" is not: save
as "CSV UTF-8"), comma-separated, CRLF or LF, with a header
row naming its columns, in any order:
  ${STARTER_COLUMNS.join(',')}
employeeId, givenName, familyName, email and startDate (YYYY-MM-DD) are
required; the others may be empty or absent. policies are separated by ";";
locale defaults to en-GB and timeZone to Europe/London.

Every row is checked first; a bad row is named on stderr by line and column
and nothing of it is imported; the good rows are. stdout says
"N created, N updated, N unchanged, N rejected". The same file imported again
creates nothing new. Exit codes: 0 every row imported, 1 a row was rejected
(or the file could not be read), 2 the command was called wrongly.
${NEEDS}`;

/** The options of `starter add`, by the column each fills. */
const ADD_OPTIONS = {
  employeeId: ['--employee <id>', "the HR system's employee id"],
  givenName: ['--given-name <name>', 'given name'],
  familyName: ['--family-name <name>', 'family name'],
  email: ['--email <address>', 'where the invite goes'],
  startDate: ['--start-date <day>', 'first day, YYYY-MM-DD'],
  managerName: ['--manager-name <name>', "the manager's name (with --manager-email)"],
  managerEmail: ['--manager-email <address>', "the manager's address (with --manager-name)"],
  department: ['--department <name>', 'department'],
  organization: ['--organization <name>', 'organization'],
  division: ['--division <name>', 'division'],
  location: ['--location <name>', 'location, e.g. an office or site'],
  employmentType: ['--employment-type <type>', 'employment type, e.g. Employee or Contractor'],
  jobTitle: ['--job-title <title>', 'job title'],
  locale: ['--locale <locale>', "the emails' language, e.g. en-GB (the default)"],
  timeZone: ['--time-zone <zone>', 'IANA time zone, e.g. Europe/London (the default)'],
  policies: ['--policies <ids>', 'policy ids separated by ";", e.g. "safe-internet-use;data-protection"'],
} as const satisfies Record<(typeof STARTER_COLUMNS)[number], readonly [string, string]>;

/** The option a column is given by, for problems with `starter add`: `--given-name`. */
const optionOf = (field: string) =>
  (ADD_OPTIONS as Record<string, readonly [string, string]>)[field]?.[0].split(' ')[0] ?? field;

export function addStarterCommands(program: Command, shell: Shell): void {
  program
    .command('import')
    .description('Import records from a file.')
    .command('starters')
    .summary('Import starters from a CSV file; each is invited as from the HR webhook.')
    .description(
      'Import starters from a CSV file (as Excel saves it): each row a starter, invited to their policies.',
    )
    .argument('<file.csv>', 'a CSV file of starters')
    .option('--dry-run', 'check every row and count, writing nothing')
    .addHelpText('after', IMPORT_HELP_AFTER)
    .action(async (file: string, options: { dryRun?: boolean }) => {
      const { deps } = shell;
      const rows = readStarterCsv((deps.readFile ?? readTextFile)(file));
      const summary = await importRows(shell, rows, CSV_SOURCE, options.dryRun === true, true);
      for (const p of summary.problems) shell.io.err(`line ${p.line}: ${p.field}: ${p.message}`);
      tell(shell, summary, options.dryRun === true);
    });

  const starter = program
    .command('starter')
    .description('Add one starter, resend their invite, or cancel them.');
  const add = starter
    .command('add')
    .summary('Add (or update) one starter and invite them, as from the HR webhook.')
    .description('Add one starter, or update them (the same employee id), and invite them to their policies.')
    .usage(
      '--employee <id> --given-name <name> --family-name <name> --email <address> --start-date <day> [options]',
    );
  for (const [column, [flags, description]] of Object.entries(ADD_OPTIONS)) {
    // What the starter contract requires is required here: its absence is a usage error (exit 2).
    const option = new Option(flags, description).makeOptionMandatory(
      (REQUIRED_COLUMNS as readonly string[]).includes(column),
    );
    add.addOption(option);
  }
  add
    .option('--dry-run', 'check and say what would happen, writing nothing')
    .addHelpText('after', NEEDS)
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const cells: StarterRow['cells'] = {};
      for (const column of STARTER_COLUMNS) {
        const value = options[new Option(ADD_OPTIONS[column][0]).attributeName()];
        if (typeof value === 'string') cells[column] = value;
      }
      const summary = await importRows(shell, [{ line: 0, cells }], CLI_SOURCE, options.dryRun === true);
      for (const p of summary.problems) shell.io.err(`attest: ${optionOf(p.field)}: ${p.message}`);
      tell(shell, summary, options.dryRun === true);
    });

  starter
    .command('resend')
    .summary('Send a starter a fresh invite, as the expired-link page lets them ask.')
    .description(
      'Send a fresh invite, with a new link, to the address on file for an employee’s current ask of ' +
        'a policy (its newest version): at most once per FRESH_LINK_INTERVAL (15 minutes by default), ' +
        'and not once signed, withdrawn or bounced (HR sends a new address instead).',
    )
    .requiredOption('--employee <id>', "the HR system's employee id")
    .requiredOption('--policy <policy-id>', 'the policy, e.g. safe-internet-use')
    .addHelpText('after', NEEDS)
    .action(async (options: { employee: string; policy: string }) => {
      const { deps, clock } = shell;
      if (!deps.mailQueue) {
        throw new AttestError('config.invalid', 'set MAIL_QUEUE_URL (the mail queue) to resend an invite.');
      }
      const resendInvite = makeResendInvite({
        store: deps.store,
        mailQueue: deps.mailQueue,
        clock,
        logger: { warn: (message) => shell.io.err(`attest: ${message}`) },
        intervalMs: deps.freshLinkIntervalMs ?? 15 * 60_000,
      });
      const assignmentId = await resendInvite(options.employee, options.policy);
      shell.io.out(`${assignmentId}: a fresh invite is owed now; the mailer sends it with a new link.`);
    });

  starter
    .command('cancel')
    .summary('Record that a starter has left (or will not start): every ask not signed is withdrawn.')
    .description(
      'Cancel a starter, exactly as the HR webhook’s starter.cancelled does: every ask not yet signed ' +
        'is withdrawn and chasing stops; agreements already signed are kept. starter add (or HR’s ' +
        'starter.created) brings them back.',
    )
    .requiredOption('--employee <id>', "the HR system's employee id")
    .option('--dry-run', 'say what would be withdrawn, writing nothing')
    .addHelpText('after', NEEDS)
    .action(async (options: { employee: string; dryRun?: boolean }) => {
      const { deps, clock } = shell;
      const found = await deps.store.getStarter(starterIdFor(options.employee));
      if (!found)
        throw new NotFoundError('starter.not_found', `No starter with employee id ${options.employee}.`);
      if (found.status === 'cancelled') {
        shell.io.out(`${options.employee}: already cancelled; nothing to do.`);
        return;
      }
      if (options.dryRun) {
        shell.io.out(`${options.employee}: would be cancelled (dry run: nothing written)`);
        return;
      }
      const { ingest } = await cliIngest(shell, CLI_SOURCE);
      const at = clock.now();
      // Its own event each time: a starter brought back and cancelled again is cancelled again.
      const id = `${CLI_SOURCE}_cancel_${createHash('sha256').update(`${options.employee}\n${at.toISOString()}`).digest('hex').slice(0, 32)}`;
      const result = await ingest({ type: 'starter.cancelled', id, data: { employeeId: options.employee } });
      const withdrawn = result.assignments.filter((a) => a.status === 'cancelled').length;
      const signed = result.assignments.filter((a) => a.status === 'acknowledged').length;
      shell.io.out(
        `${options.employee}: cancelled; ${withdrawn} ask(s) withdrawn, ${signed} signed kept. Chasing has stopped.`,
      );
    });
}

/** The import use case over the ingest use case, under `source`, with the mail queue and settings of the CLI's deps. */
async function importRows(
  shell: Shell,
  rows: StarterRow[],
  source: string,
  dryRun: boolean,
  showProgress = false,
): Promise<ImportSummary> {
  const { deps } = shell;
  const mailQueue = deps.mailQueue;
  if (!mailQueue && !dryRun) {
    throw new AttestError(
      'config.invalid',
      'set MAIL_QUEUE_URL (the mail queue) to import starters into TABLE_NAME.',
    );
  }
  const { ingest, bundledPolicies } = await cliIngest(shell, source);
  const importStarters = makeImportStarters({
    store: deps.store,
    ingest,
    schema: starterEventSchema(new Set(bundledPolicies.keys())),
    source,
  });
  let bar: ReturnType<NonNullable<CliDeps['progressBar']>> | undefined;
  const progress = (done: number, total: number) => {
    bar ??= deps.progressBar?.(total);
    bar?.update(done);
  };
  try {
    return await importStarters(rows, { dryRun, ...(showProgress && { progress }) });
  } finally {
    bar?.stop();
  }
}

/** The ingest use case as the CLI runs it, under `source`: what every starter command writes through. */
async function cliIngest(shell: Shell, source: string) {
  const { deps, clock } = shell;
  // Built only here: the bundled policies are compiled from templates/ (npm run build:templates).
  const { bundledPolicies } = await import('#templates/policies.ts');
  const audience = deps.audience ?? (await import('#templates/audience.ts')).bundledAudience;
  const ingest = makeIngestStarterEvent({
    store: deps.store,
    mailQueue: deps.mailQueue ?? { send: async () => {}, sendBatch: async () => [] },
    clock,
    // The CLI's stdout is its answer: ingest's own log lines are not, and a queue refusing is
    // only a delay (the sweeper re-drives the invite), said on stderr.
    logger: { info() {}, warn: (message) => shell.io.err(`attest: ${message}`) },
    metrics: { count() {} },
    policies: policyCatalogue(bundledPolicies),
    defaultPolicies: deps.defaultPolicies ?? ['safe-internet-use'],
    audience,
    redriveAfterMs: deps.redriveAfterMs ?? 15 * 60_000,
    retention: deps.retention ?? LOOK_AT_ONCE,
    source,
  });
  return { ingest, bundledPolicies };
}

/** A bar on stderr (a terminal's), cleared when done so only the summary stays. */
export function terminalProgressBar(total: number): { update(done: number): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'importing {bar} {value}/{total}',
      clearOnComplete: true,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}

/** The summary on stdout; a rejected row makes the command fail (exit 1), its reasons on stderr already. */
function tell(shell: Shell, summary: ImportSummary, dryRun: boolean): void {
  const { created, updated, unchanged, rejected } = summary;
  shell.io.out(
    `${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected} rejected${dryRun ? ' (dry run: nothing written)' : ''}`,
  );
  if (rejected) shell.failed();
}
