// `attest lms`: the LMS deliveries as an operator sees them (status, dead letters) and acts on them (replay, backfill, enable).
import { type Command, Option } from 'commander';
import { TEST_PERSON, type TestSubject } from '#shared/core/destinations/destination.ts';
import { starterIdFor } from '#shared/core/ids.ts';
import {
  makeBackfill,
  makeDeliveryStatus,
  makeEnableDestinations,
  makeListDeadLetters,
  makeReplayDeadLetters,
} from '#shared/core/lms-operations.ts';
import { makeTestDestination, type TestReport } from '#shared/core/lms-test.ts';
import { DELIVERY_KINDS, type Delivery, type DeliveryKind, isDeliveryKind } from '#shared/core/model.ts';
import { cliDispatch, oneOf, type Shell, UsageError } from './cli.ts';

/** The destinations as the settings (LMS_MODE) and this command name them: the registry's. */
const NAMES = DELIVERY_KINDS;

const destinationOption = (what: string) => new Option('--destination <name>', `${what} (${oneOf(NAMES)})`);

/** The destination named by --destination, if any; a name not among them is a usage error. */
function destinationKind(named: string | undefined, command: Command): DeliveryKind | undefined {
  if (named === undefined) return undefined;
  if (!isDeliveryKind(named)) {
    throw new UsageError(`--destination must be ${oneOf(NAMES)}, not ${JSON.stringify(named)}`, command);
  }
  return named;
}

/** One delivery's state, on one line: a pending one that has been tried is retrying. */
export function describeDelivery(delivery: Delivery): string {
  const letter = delivery.deadLetter;
  const state = delivery.state === 'pending' && delivery.attempts > 0 ? 'retrying' : delivery.state;
  const parts = [state, `attempts ${delivery.attempts}`];
  if (delivery.lastStatus !== undefined) parts.push(`last status ${delivery.lastStatus ?? 'none'}`);
  if (delivery.deliveredAt) parts.push(`delivered ${delivery.deliveredAt}`);
  if (delivery.nextAttemptAt) parts.push(`next attempt ${delivery.nextAttemptAt}`);
  if (letter) {
    parts.push(`${letter.reason} at ${letter.at}`);
    // The destination's own reading of its answer (Moodle's error code, or no such user), when it gave one.
    if (letter.detail) parts.push(letter.detail);
    if (letter.body) parts.push(JSON.stringify(letter.body.slice(0, 120)));
  }
  return parts.join('  ');
}

/**
 * A delivery's attempts, oldest first, one line each: when, the status (or why there was none),
 * how long, and the start of the answer; those dropped from the log counted first.
 */
export function describeAttempts(delivery: Delivery): string[] {
  const lines: string[] = [];
  if (delivery.attemptsDropped) lines.push(`  (${delivery.attemptsDropped} earlier attempts not kept)`);
  for (const a of delivery.attemptLog ?? []) {
    const answered = a.status === null ? `no answer (${a.error ?? 'network error'})` : `status ${a.status}`;
    const answer = a.answer ? `  ${JSON.stringify(a.answer)}` : '';
    lines.push(`  ${a.at}  ${answered}  ${a.durationMs} ms${answer}`);
  }
  return lines;
}

/** A test's report as the admin reads it: each request and its answer, then the verdict. */
export function describeTest(kind: DeliveryKind, subject: TestSubject, report: TestReport): string[] {
  const who = subject.real ? `${subject.employeeId} <${subject.email}>` : `the test person ${subject.email}`;
  const lines = [`${kind} test, about ${who}`];
  for (const e of report.exchanges) {
    const answered = e.status === null ? `no answer (${e.error ?? 'network error'})` : `${e.status}`;
    lines.push(`${e.method} ${e.url}  ${answered}  ${e.durationMs} ms`);
    if (e.answer) lines.push(`  answer: ${JSON.stringify(e.answer)}`);
  }
  lines.push(`${report.outcome.healthy ? 'ok' : 'FAILED'}: ${report.outcome.verdict}`);
  return lines;
}

export function addLmsCommands(program: Command, shell: Shell): void {
  const { deps, io, clock } = shell;
  const { store } = deps;
  const lms = program
    .command('lms')
    .description('Where the LMS deliveries stand; replay, backfill, enable a destination.');

  lms
    .command('status')
    .summary('Where each LMS delivery of an agreement stands.')
    .description(
      'Where each LMS delivery of an agreement stands: delivered, retrying (attempts, last status, ' +
        'next attempt) or dead-lettered (why); then each attempt, oldest first (when, status, time ' +
        'taken, the start of the answer).',
    )
    .argument('<assignment-id>', 'an assignment id')
    .addOption(destinationOption('only this destination, owed or not'))
    .action(async (id: string, options: { destination?: string }, command: Command) => {
      const only = destinationKind(options.destination, command);
      const status = await makeDeliveryStatus({ store })(id, only);
      if (!status.signed) return io.out(`${id}: not signed yet; nothing is owed to the LMS.`);
      if (!status.deliveries.length) io.out(`${id}: no LMS destination was configured when it was signed.`);
      for (const { kind, delivery } of status.deliveries) {
        const shown = delivery ? describeDelivery(delivery) : 'none (not a destination when it was signed)';
        io.out(`${kind}  ${shown}`);
        for (const line of delivery ? describeAttempts(delivery) : []) io.out(line);
      }
    });

  lms
    .command('test')
    .summary('Send a destination a test that records nothing, and show its answer.')
    .usage('--destination <name> [--employee <employee-id>]')
    .description(
      "Check a destination's settings before real people sign: a signed policy.test webhook, an " +
        'xAPI statement that a person "experienced" a test activity (never a policy\'s), or a Moodle ' +
        'user lookup. Uses the settings and secrets lms-push uses (from the environment; the local ' +
        "stack's without TABLE_NAME). Prints each request, the status, the time taken and the start " +
        'of the answer, then ok or FAILED (exit 1). Nothing is written to the table.',
    )
    .addOption(destinationOption('the destination to test'))
    .option(
      '--employee <employee-id>',
      'a starter (from the table) the test is about; without it, the test person attest-test@invalid',
    )
    .action(async (options: { destination?: string; employee?: string }, command: Command) => {
      const kind = destinationKind(options.destination, command);
      if (!kind) throw new UsageError(`lms test needs --destination ${NAMES.join('|')}`, command);
      if (!deps.lms) throw new UsageError('lms test is not available here', command);
      let subject: TestSubject = TEST_PERSON;
      if (options.employee !== undefined) {
        const starter = await store.getStarter(starterIdFor(options.employee));
        if (!starter) {
          io.err(`attest: no starter with employee id ${options.employee}`);
          return shell.failed();
        }
        const { employeeId, email, givenName, familyName } = starter;
        subject = { employeeId, email, givenName, familyName, real: true };
      }
      const channel = await deps.lms.channel(kind);
      if (!channel.test) {
        io.err(`attest: the ${kind} destination has no test`);
        return shell.failed();
      }
      const { http, timeoutMs } = deps.lms;
      const report = await makeTestDestination({ http, clock, timeoutMs })(channel, subject);
      for (const line of describeTest(kind, subject, report)) io.out(line);
      if (!report.outcome.healthy) shell.failed();
    });

  lms
    .command('dead-letters')
    .description('Deliveries the LMS rejected (4xx), that ran out of retries, or went while it was disabled.')
    .addOption(destinationOption('only those of this destination'))
    .action(async (options: { destination?: string }, command: Command) => {
      const only = destinationKind(options.destination, command);
      const letters = await makeListDeadLetters({ store })(only);
      if (!letters.length) io.out('No dead letters.');
      for (const { assignmentId, kind, delivery } of letters) {
        io.out(`${assignmentId}  ${kind}  ${delivery ? describeDelivery(delivery) : ''}`);
      }
    });

  lms
    .command('replay')
    .summary('Send dead-lettered deliveries again.')
    .usage('--all | --assignment <assignment-id> [--destination <name>]')
    .description(
      'Send dead-lettered deliveries again (same webhook-id or xAPI statement id, retries counted ' +
        "afresh); the sweeper sends them on its next run. A disabled destination's stay until enabled.",
    )
    .option('--all', 'every dead letter')
    .option('--assignment <assignment-id>', "one assignment's dead letters")
    .addOption(destinationOption('only those of this destination'))
    .action(async (options: { all?: true; assignment?: string; destination?: string }, command: Command) => {
      const only = destinationKind(options.destination, command);
      if (Boolean(options.all) === Boolean(options.assignment)) {
        throw new UsageError('lms replay needs --all or --assignment <assignment-id>, not both', command);
      }
      const which = options.assignment ? { assignmentId: options.assignment } : { all: true as const };
      const { replayed, disabled } = await makeReplayDeadLetters({ store, clock })(which, only);
      for (const { kind: name, reason } of disabled) {
        io.err(
          `The ${name} destination is disabled (${reason}); its dead letters stay until \`lms enable --destination ${name}\`.`,
        );
      }
      if (disabled.length && !replayed) return shell.failed();
      io.out(`Replaying ${replayed} deliveries; the sweeper sends them on its next run.`);
    });

  lms
    .command('backfill')
    .summary("Deliver a policy's earlier agreements to a destination added since.")
    .usage('--destination <name> --policy <policy-id>')
    .description(
      'Deliver every earlier agreement to the policy to a destination added since they were signed ' +
        '(e.g. after switching LMS_MODE to webhook,xapi); agreements it already has are left alone, ' +
        'so it is safe to run again. They go to the LMS queue as they are owed (LMS_QUEUE_URL with ' +
        'TABLE_NAME, or the local stack’s); without it the sweeper sends them on its next run.',
    )
    .addOption(destinationOption('the destination added'))
    .option('--policy <policy-id>', 'the policy whose agreements to deliver')
    .action(async (options: { destination?: string; policy?: string }, command: Command) => {
      const kind = destinationKind(options.destination, command);
      if (!kind || !options.policy) {
        throw new UsageError(
          `lms backfill needs --destination ${NAMES.join('|')} and --policy <policy-id>`,
          command,
        );
      }
      const dispatch = cliDispatch(shell, 'lms');
      const { owed, had, enqueued } = await makeBackfill({ store, clock, ...(dispatch && { dispatch }) })(
        options.policy,
        kind,
      );
      const sent =
        enqueued === undefined
          ? 'the sweeper sends them on its next run'
          : `${enqueued} queued now${owed > enqueued ? `, the sweeper sends the rest (${owed - enqueued}) on its next run` : ''}`;
      io.out(
        `${options.policy}: ${owed} agreements owed to ${kind} (${had} had a delivery there already); ${sent}.`,
      );
    });

  lms
    .command('enable')
    .description('Enable a destination again after it answered 410 Gone (it was disabled).')
    .addOption(destinationOption('only this destination (without it, every one)'))
    .action(async (options: { destination?: string }, command: Command) => {
      const only = destinationKind(options.destination, command);
      const kinds = await makeEnableDestinations({ store, clock })(only);
      io.out(
        `${oneOf(kinds).replace(/ or (?=[^ ]+$)/, ' and ')} enabled. Replay what was dead-lettered while disabled: lms replay --all`,
      );
    });
}
