// The attest command line: publish policy versions (optionally asking earlier signers again) and show evidence.
import { closeSync, constants, fchmodSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { makeDynamoStore } from '#shared/adapters/dynamo/store.ts';
import { owedDeliveries } from '#shared/core/deliver.ts';
import { parseDuration } from '#shared/core/duration.ts';
import { AttestError, ValidationError } from '#shared/core/errors.ts';
import { makeEvidenceReport } from '#shared/core/evidence.ts';
import { assignmentIdsFor } from '#shared/core/ids.ts';
import {
  DELIVERY_KINDS,
  DESTINATION_OF,
  type Delivery,
  type DeliveryKind,
  KIND_OF,
} from '#shared/core/model.ts';
import { parsePolicy } from '#shared/core/policy.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import { csvOf, makeReport, REPORT_FILTERS, type ReportFilter, type ReportRow } from '#shared/core/report.ts';
import type {
  Assignments,
  AuditTrail,
  Deliveries,
  Logger,
  Policies,
  PolicyIndex,
  Store,
} from '#shared/ports.ts';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { LOCAL_REGION, localPorts, TABLE_NAME } from '../local/settings.ts';
import { DEFAULT_TOKEN_TTL_MS, KeyUsage, type KeyVault, keysCommand, secretsManagerVault } from './keys.ts';
import { parseDay, summaryLines, tableLines } from './report.ts';

export const USAGE = `Usage: attest <command> [--verbose]

  policy publish <file.md> [--reacknowledge]
      Publish the policy file's text as its next version; unchanged text publishes nothing.
      --reacknowledge asks everyone who signed an earlier version to sign this one, and
      everyone still asked for an earlier version to sign this one instead (safe to run
      again: nobody is asked twice). The sweeper sends their emails on its next run.
  policy versions <policy-id>
      List the published versions with their sha256.
  evidence <assignment-id> [--text]
  evidence --employee <employee-id> --policy <policy-id> [--text]
      The evidence of an agreement as JSON: who, what (version and sha256, checked against the
      stored text), when, how (IP, user agent, token, email), and the audit trail.
      --text prints the exact text that was shown instead.
  report --policy <policy-id> [--status <status>] [--since <day>] [--until <day>] [--csv | --out <file.csv>]
      Who has not signed: the policy's assignments counted (signed, not signed and why,
      cancelled), then those not signed listed, oldest first, with how long each has waited.
      --status lists others instead: all, pending (not yet invited), invited, overdue, bounced,
      signed (acknowledged) or cancelled. --since and --until (YYYY-MM-DD, UTC, both days included) keep
      the assignments made in those days. --csv prints the rows as CSV, with every agreement's
      evidence (for an audit); --out writes that CSV to a file (UTF-8 with a BOM, for Excel)
      readable only by you.
  lms status <assignment-id>
      Where each LMS delivery of an agreement stands: delivered, retrying (attempts, last status,
      next attempt) or dead-lettered (why).
  lms dead-letters [--destination webhook|xapi]
      Deliveries the LMS rejected (4xx), that ran out of retries, or went while it was disabled.
  lms replay --all | --assignment <assignment-id> [--destination webhook|xapi]
      Send dead-lettered deliveries again (same webhook-id or xAPI statement id, retries counted
      afresh); the sweeper sends them on its next run.
  lms backfill --destination webhook|xapi --policy <policy-id>
      Deliver every earlier agreement to the policy to a destination added since they were
      signed (e.g. after switching LMS_MODE to webhook,xapi); agreements it already has are
      left alone, so it is safe to run again. The sweeper sends them on its next run.
  keys status | add | promote <key-id> | retire <key-id> [--force]
      Rotate the keys that sign acknowledgement links (on AWS: ACK_TOKEN_KEYS_SECRET_ARN), one
      step at a time: add a key (it verifies, not signs), promote it once every function knows
      it (six minutes), retire the old one once the last link it signed has expired (TOKEN_TTL,
      30 days by default). Each step refuses to run early; status says when the next may.
  lms enable [--destination webhook|xapi]
      Enable a destination again after it answered 410 Gone (it was disabled); without
      --destination, every destination.

Runs against TABLE_NAME (with the usual AWS credentials), or the local stack of \`npm start\`
when TABLE_NAME is not set; --verbose says which on stderr. Only the answer goes to stdout.`;

/** A mistake in how the command was called: the message and the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliDeps {
  store: Store;
  /** Which table `store` reads, said on stderr with --verbose. */
  where?: string;
  io: CliIo;
  now?: () => Date;
  readFile?: (path: string) => string;
  /** The link keys' secret (on AWS); absent, `keys` explains that the local stack's are fixed. */
  keyVault?: KeyVault;
  /** The mailer's TOKEN_TTL: how long a link is valid. */
  tokenTtlMs?: number;
  /** Opens a file to write (a report's CSV), readable only by its owner; `remove` closes and deletes it. */
  createFile?: (path: string) => { write(text: string): void; close(): void; remove(): void };
}

const quietLogger: Pick<Logger, 'info' | 'warn'> = { info() {}, warn() {} };

const OPTIONS = {
  reacknowledge: { type: 'boolean', default: false },
  text: { type: 'boolean', default: false },
  employee: { type: 'string' },
  assignment: { type: 'string' },
  all: { type: 'boolean', default: false },
  destination: { type: 'string' },
  policy: { type: 'string' },
  status: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  csv: { type: 'boolean', default: false },
  out: { type: 'string' },
  force: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

/** How many words (besides options) each command takes; a word more is a mistake, not ignored. */
const WORDS: Record<string, number> = {
  'policy publish': 3,
  'policy versions': 3,
  evidence: 2,
  'lms status': 3,
  lms: 2,
  report: 1,
  'keys promote': 3,
  'keys retire': 3,
  keys: 2,
};

/** A word that reads as an option: known ones, and misspellings (`--destnation`), left for parseArgs to refuse. */
const OPTION_LIKE = /^(-h|--[a-z]+(-[a-z]+)*(=.*)?)$/s;

/**
 * Assignment ids are base64url, so one in 64 begins with "-" (`attest evidence -6eNF…`); parseArgs
 * would take it for an unknown option. Every word that does not read as an option is an argument,
 * and a string option takes the next such word as its value, so ids are typed as they are printed.
 */
export function idsAsWords(argv: readonly string[]): string[] {
  const options: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('-') || !OPTION_LIKE.test(word)) {
      words.push(word);
      continue;
    }
    const spec = OPTIONS[word.slice(2) as keyof typeof OPTIONS] as { type: string } | undefined;
    const next = argv[i + 1];
    if (spec?.type === 'string' && next !== undefined && next !== '--' && !OPTION_LIKE.test(next)) {
      options.push(`${word}=${next}`);
      i++;
      continue;
    }
    options.push(word);
  }
  return [...options, '--', ...words];
}

/** Runs one command; resolves to the process exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  try {
    const { values, positionals } = parseArgs({
      args: idsAsWords(argv),
      allowPositionals: true,
      options: OPTIONS,
    });
    const [command, sub, arg] = positionals;
    if (values.verbose && deps.where && command && command !== 'keys') io.err(deps.where);
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    const extra = positionals[WORDS[`${command} ${sub}`] ?? WORDS[command] ?? positionals.length];
    if (extra !== undefined) {
      throw new UsageError(
        `unexpected ${JSON.stringify(extra)}${extra.startsWith('-') ? ', not an option attest knows' : ''}`,
      );
    }
    const clock = { now: deps.now ?? (() => new Date()) };
    if (command === 'policy' && sub === 'publish') {
      if (!arg)
        throw new UsageError(
          'policy publish needs the policy file, e.g. templates/policies/safe-internet-use.md',
        );
      const text = parsePolicy((deps.readFile ?? ((p) => readFileSync(p, 'utf8')))(arg));
      const publisher = makePublishPolicy({ store: deps.store, clock, logger: quietLogger });
      const { policy, created } = await publisher.publish(text);
      io.out(
        created
          ? `${policy.policyId}: published version ${policy.version} (sha256 ${policy.sha256})`
          : `${policy.policyId}: unchanged, version ${policy.version} is this text (sha256 ${policy.sha256})`,
      );
      if (values.reacknowledge) {
        const outcome = await publisher.reacknowledge(policy);
        io.out(
          `${policy.policyId}: asked ${outcome.asked} who signed an earlier version to sign version ${policy.version}` +
            ` (${outcome.alreadyAsked} asked before, ${outcome.skipped} left or gone); the sweeper sends the emails on its next run`,
        );
        io.out(
          `${policy.policyId}: asked ${outcome.moved} who had not yet signed an earlier version to sign version ${policy.version}` +
            ` instead (${outcome.alreadyMoved} asked before); their earlier links now say so`,
        );
      }
      return 0;
    }
    if (command === 'policy' && sub === 'versions') {
      if (!arg) throw new UsageError('policy versions needs a policy id, e.g. safe-internet-use');
      const latest = await deps.store.getLatestPolicyVersion(arg);
      if (!latest) throw new AttestError('policy.not_found', `No published versions of ${arg}.`);
      for (let v = 1; v <= latest.version; v++) {
        const p = await deps.store.getPolicyVersion(arg, v);
        if (p) io.out(`${p.policyId} v${p.version}  ${p.publishedAt}  sha256 ${p.sha256}  ${p.title}`);
      }
      return 0;
    }
    if (command === 'evidence') {
      const reporter = makeEvidenceReport(deps.store);
      const ids = await evidenceIds(deps.store, sub, values.employee, values.policy);
      for (const id of ids) {
        const { report, text } = await reporter.report(id);
        // io.out ends the line: the text's own final newline is dropped, so the bytes printed are
        // exactly the canonical text and `… --text | sha256sum` gives the evidence's sha256.
        io.out(values.text ? text.replace(/\n$/, '') : JSON.stringify(report, null, 2));
      }
      return 0;
    }
    if (command === 'lms') return await lms(deps, sub, arg, values, clock.now());
    if (command === 'report') return await report(deps, values, clock);
    if (command === 'keys') {
      if (!deps.keyVault) {
        throw new AttestError(
          'keys.local',
          "Link keys rotate on AWS: set ACK_TOKEN_KEYS_SECRET_ARN to the stack's AckTokenKeysSecretArn output, with AWS" +
            " credentials that may read and write it. The local stack's keys are fixed (ACK_TOKEN_KEYS, printed by npm start).",
        );
      }
      const keysDeps = {
        vault: deps.keyVault,
        now: clock.now,
        out: io.out,
        tokenTtlMs: deps.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
      };
      return await keysCommand(keysDeps, sub, arg, values.force);
    }
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  } catch (error) {
    return fail(error, io);
  }
}

/** `attest report`: counts and the unsigned (or `--status`) as a table, or every row as CSV. */
async function report(
  deps: CliDeps,
  values: { policy?: string; status?: string; since?: string; until?: string; csv?: boolean; out?: string },
  clock: { now(): Date },
): Promise<number> {
  const { io } = deps;
  if (!values.policy) throw new UsageError('report needs --policy <policy-id>, e.g. safe-internet-use');
  // "signed" is what people say; the status is named acknowledged.
  const filter = (
    values.status === 'signed' ? 'acknowledged' : (values.status ?? 'unsigned')
  ) as ReportFilter;
  if (!REPORT_FILTERS.includes(filter)) {
    throw new UsageError(
      `--status must be one of ${REPORT_FILTERS.join(', ')} (or signed), not ${JSON.stringify(values.status)}`,
    );
  }
  const day = (flag: string, value: string | undefined, endOfDay: boolean) => {
    if (value === undefined) return undefined;
    const parsed = parseDay(value, endOfDay);
    if (!parsed) throw new UsageError(`${flag} must be a day as YYYY-MM-DD, not ${JSON.stringify(value)}`);
    return parsed;
  };
  const since = day('--since', values.since, false);
  const until = day('--until', values.until, true);
  if (since && until && since >= until) throw new UsageError('--since must not be after --until');
  const reporter = makeReport({ store: deps.store, clock });
  const options = { filter, ...(since && { since }), ...(until && { until }) };

  if (values.out === '') throw new UsageError('--out needs a file name, e.g. --out report.csv');
  if (values.csv || values.out) {
    // The file is opened at the first rows, so a report refused (no such policy) leaves no file;
    // one that fails part way is removed, so no partial copy of the personal data is left.
    const path = values.out;
    let file: ReturnType<NonNullable<CliDeps['createFile']>> | undefined;
    const write = (text: string) => {
      if (path === undefined) return io.out(text.replace(/\n$/, ''));
      file ??= (deps.createFile ?? createFile)(path);
      file.write(text);
    };
    let header = true;
    try {
      const summary = await reporter.run(values.policy, options, (rows) => {
        write(csvOf(rows, { header, bom: header && path !== undefined }));
        header = false;
      });
      if (header) write(csvOf([], { header, bom: path !== undefined }));
      file?.close();
      if (path !== undefined)
        io.out(`Wrote ${summary.listed} row${summary.listed === 1 ? '' : 's'} to ${path}.`);
    } catch (error) {
      if (file) {
        file.remove();
        io.err(`attest: removed ${path}: the report did not finish.`);
      }
      throw error;
    }
    return 0;
  }

  const rows: ReportRow[] = [];
  const summary = await reporter.run(values.policy, options, (page) => {
    rows.push(...page);
  });
  const range = {
    ...(values.since && { since: values.since }),
    ...(values.until && { until: values.until }),
  };
  io.out([...summaryLines(summary, range), '', ...tableLines(filter, rows)].join('\n'));
  return 0;
}

/** A new file (or one emptied), readable and writable only by its owner: a report holds personal data. */
function createFile(path: string) {
  // Not through a symbolic link: the personal data goes to the file named, nowhere else.
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    fchmodSync(fd, 0o600); // a file that was there keeps its mode otherwise
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return {
    write: (text: string) => void writeSync(fd, text),
    close: () => closeSync(fd),
    remove: () => {
      closeSync(fd);
      unlinkSync(path);
    },
  };
}

const MAX_DEAD_LETTERS = 1000;

/** The destinations a command is about: the one named, or all. */
function destinationKinds(named: string | undefined): DeliveryKind[] {
  if (named === undefined) return [...DELIVERY_KINDS];
  if (named !== 'webhook' && named !== 'xapi') {
    throw new UsageError(`--destination must be webhook or xapi, not ${JSON.stringify(named)}`);
  }
  return [KIND_OF[named]];
}

/** One delivery's state, on one line. */
function describeDelivery(delivery: Delivery): string {
  const letter = delivery.deadLetter;
  const state = delivery.state === 'pending' && delivery.attempts > 0 ? 'retrying' : delivery.state;
  const parts = [state, `attempts ${delivery.attempts}`];
  if (delivery.lastStatus !== undefined) parts.push(`last status ${delivery.lastStatus ?? 'none'}`);
  if (delivery.deliveredAt) parts.push(`delivered ${delivery.deliveredAt}`);
  if (delivery.nextAttemptAt) parts.push(`next attempt ${delivery.nextAttemptAt}`);
  if (letter) {
    parts.push(`${letter.reason} at ${letter.at}`);
    if (letter.body) parts.push(JSON.stringify(letter.body.slice(0, 120)));
  }
  return parts.join('  ');
}

/** `lms` shows, replays and backfills deliveries, and enables destinations again. */
type LmsStore = Pick<Assignments, 'getAssignment'> &
  Pick<Deliveries, 'deadLetters' | 'replayDelivery' | 'oweDelivery' | 'getDestination' | 'setDestination'> &
  Pick<PolicyIndex, 'signers'> &
  Pick<AuditTrail, 'appendAudit'>;

async function lms(
  deps: { store: LmsStore; io: CliIo },
  sub: string | undefined,
  arg: string | undefined,
  options: {
    all: boolean;
    assignment?: string | undefined;
    destination?: string | undefined;
    policy?: string | undefined;
  },
  now: Date,
): Promise<number> {
  const { store, io } = deps;
  const kinds = destinationKinds(options.destination);
  if (sub === 'status') {
    if (!arg) throw new UsageError('lms status needs an assignment id');
    const assignment = await store.getAssignment(arg);
    if (!assignment) throw new AttestError('assignment.not_found', `No assignment ${arg}.`);
    if (!assignment.ack) {
      io.out(`${arg}: not signed yet; nothing is owed to the LMS.`);
      return 0;
    }
    // Every destination named; without --destination, those it was (or has been) owed to.
    const shown = options.destination ? kinds : kinds.filter((kind) => assignment[kind]);
    if (!shown.length) io.out(`${arg}: no LMS destination was configured when it was signed.`);
    for (const kind of shown) {
      const delivery = assignment[kind];
      io.out(
        `${DESTINATION_OF[kind]}  ${delivery ? describeDelivery(delivery) : 'none (not a destination when it was signed)'}`,
      );
    }
    return 0;
  }
  if (sub === 'dead-letters') {
    const dead = (await store.deadLetters(MAX_DEAD_LETTERS)).filter((d) => kinds.includes(d.kind));
    if (!dead.length) io.out('No dead letters.');
    for (const { assignmentId, kind } of dead) {
      const delivery = (await store.getAssignment(assignmentId))?.[kind];
      io.out(`${assignmentId}  ${DESTINATION_OF[kind]}  ${delivery ? describeDelivery(delivery) : ''}`);
    }
    return 0;
  }
  if (sub === 'replay') {
    if (options.all === Boolean(options.assignment)) {
      throw new UsageError('lms replay needs --all or --assignment <assignment-id>, not both');
    }
    let letters: Array<{ assignmentId: string; kind: DeliveryKind }>;
    if (options.assignment) {
      const assignment = await store.getAssignment(options.assignment);
      letters = kinds
        .filter((kind) => assignment?.[kind]?.state === 'dead')
        .map((kind) => ({ assignmentId: options.assignment as string, kind }));
      if (!letters.length) {
        const to = options.destination ? ` to ${options.destination}` : '';
        throw new AttestError('lms.not_dead', `${options.assignment} has no dead-lettered delivery${to}.`);
      }
    } else {
      letters = (await store.deadLetters(MAX_DEAD_LETTERS)).filter((d) => kinds.includes(d.kind));
    }
    // A disabled destination would dead-letter them again at once: its letters wait until it is enabled.
    const disabled = new Map<DeliveryKind, string>();
    for (const kind of new Set(letters.map((l) => l.kind))) {
      const destination = await store.getDestination(kind);
      if (destination.state === 'disabled') disabled.set(kind, destination.reason ?? 'no reason recorded');
    }
    let replayed = 0;
    for (const { assignmentId, kind } of letters) {
      if (disabled.has(kind)) continue;
      if (await store.replayDelivery(assignmentId, kind, now)) {
        replayed++;
        await store.appendAudit(assignmentId, 'delivery-replayed', now, {
          destination: DESTINATION_OF[kind],
        });
      }
    }
    for (const [kind, reason] of disabled) {
      const name = DESTINATION_OF[kind];
      io.err(
        `The ${name} destination is disabled (${reason}); its dead letters stay until \`lms enable --destination ${name}\`.`,
      );
    }
    if (disabled.size && !replayed) return 1;
    io.out(`Replaying ${replayed} deliveries; the sweeper sends them on its next run.`);
    return 0;
  }
  if (sub === 'backfill') {
    if (!options.destination || !options.policy) {
      throw new UsageError('lms backfill needs --destination webhook|xapi and --policy <policy-id>');
    }
    const [kind] = kinds as [DeliveryKind];
    let owed = 0;
    let had = 0;
    for await (const signer of store.signers(options.policy, Number.MAX_SAFE_INTEGER)) {
      const evidence = (await store.getAssignment(signer.assignmentId))?.ack;
      if (!evidence) continue;
      if (await store.oweDelivery(signer.assignmentId, owedDeliveries(evidence.evidenceId, [kind]), now)) {
        owed++;
        await store.appendAudit(signer.assignmentId, 'delivery-backfilled', now, {
          destination: DESTINATION_OF[kind],
        });
      } else had++;
    }
    io.out(
      `${options.policy}: ${owed} agreements owed to ${options.destination} (${had} had a delivery there already); the sweeper sends them on its next run.`,
    );
    return 0;
  }
  if (sub === 'enable') {
    for (const kind of kinds) await store.setDestination(kind, { state: 'enabled', at: now.toISOString() });
    io.out(
      `${kinds.map((k) => DESTINATION_OF[k]).join(' and ')} enabled. Replay what was dead-lettered while disabled: lms replay --all`,
    );
    return 0;
  }
  throw new UsageError(`unknown command: lms ${sub ?? ''}`.trim());
}

async function evidenceIds(
  store: Pick<Policies, 'getLatestPolicyVersion'> & Pick<Assignments, 'getAssignment'>,
  assignmentId: string | undefined,
  employee: string | undefined,
  policy: string | undefined,
): Promise<string[]> {
  if (assignmentId) return [assignmentId];
  if (!employee || !policy) {
    throw new UsageError('evidence needs an assignment id, or --employee <id> and --policy <id>');
  }
  const latest = await store.getLatestPolicyVersion(policy);
  if (!latest) throw new AttestError('policy.not_found', `No published versions of ${policy}.`);
  const found: string[] = [];
  for (const id of assignmentIdsFor(employee, policy, latest.version)) {
    if (await store.getAssignment(id)) found.push(id);
  }
  if (!found.length)
    throw new AttestError('assignment.not_found', `${employee} has no ${policy} assignment.`);
  return found;
}

function fail(error: unknown, io: CliIo): number {
  if (
    error instanceof UsageError ||
    error instanceof KeyUsage ||
    (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')
  ) {
    io.err(`attest: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ValidationError) {
    io.err(
      `attest: the policy file is not valid:\n${error.issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`,
    );
    return 1;
  }
  if (error instanceof AttestError) {
    io.err(`attest: ${error.message}`);
    return 1;
  }
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') {
    io.err(`attest: no such file: ${e.path}`);
    return 1;
  }
  if (e?.code === 'ECONNREFUSED' || (e as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED') {
    io.err('attest: cannot reach DynamoDB. For the local stack, is `npm start` running?');
    return 1;
  }
  io.err(`attest: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`);
  return 1;
}

/** The table: TABLE_NAME on AWS, or the local stack's; and which, for --verbose. */
function storeFromEnv(env: NodeJS.ProcessEnv): { store: Store; where: string } {
  if (env.TABLE_NAME) return { store: makeDynamoStore(env.TABLE_NAME), where: `(table ${env.TABLE_NAME})` };
  const endpoint = `http://127.0.0.1:${localPorts(env).dynamodb}`;
  return {
    store: makeDynamoStore(
      TABLE_NAME,
      new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 }),
    ),
    where: `(the local stack's table at ${endpoint}; set TABLE_NAME for AWS)`,
  };
}

/** The command line as the \`attest\` executable (bin/attest.js) and \`npm run attest\` run it; answers the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // The SDK warns on Node 20 that its 2027 releases need Node 22: noise for a command's output.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const io: CliIo = { out: (t) => console.log(t), err: (t) => console.error(t) };
  const arn = env.ACK_TOKEN_KEYS_SECRET_ARN;
  return runCli(argv, {
    ...storeFromEnv(env),
    io,
    ...(arn && { keyVault: secretsManagerVault(new SecretsManagerClient({}), arn) }),
    ...(env.TOKEN_TTL && { tokenTtlMs: parseDuration(env.TOKEN_TTL) }),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
