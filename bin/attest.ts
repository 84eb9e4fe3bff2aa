// The attest command line: publish policy versions (optionally asking earlier signers again) and show evidence.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeDynamoStore } from '#shared/adapters/dynamo-store.ts';
import { AttestError, ValidationError } from '#shared/core/errors.ts';
import { makeEvidenceReport } from '#shared/core/evidence.ts';
import { assignmentIdsFor } from '#shared/core/ids.ts';
import { parsePolicy } from '#shared/core/policy.ts';
import { makePublishPolicy } from '#shared/core/publish.ts';
import type { Logger, Store } from '#shared/ports.ts';
import { LOCAL_CREDENTIALS } from '../local/emulators.ts';
import { LOCAL_REGION, localPorts, TABLE_NAME } from '../local/settings.ts';

export const USAGE = `Usage: npm run attest -- <command>

  policy publish <file.md> [--reacknowledge]
      Publish the policy file's text as its next version; unchanged text publishes nothing.
      --reacknowledge asks everyone who signed an earlier version to sign this one (safe to
      run again: nobody is asked twice). The sweeper sends their emails on its next run.
  policy versions <policy-id>
      List the published versions with their sha256.
  evidence <assignment-id> [--text]
  evidence --employee <employee-id> --policy <policy-id> [--text]
      The evidence of an agreement as JSON: who, what (version and sha256, checked against the
      stored text), when, how (IP, user agent, token, email), and the audit trail.
      --text prints the exact text that was shown instead.
  lms dead-letters
      Deliveries the LMS rejected (4xx), that ran out of retries, or went while it was disabled.
  lms replay --all | --assignment <assignment-id>
      Send dead-lettered deliveries again (same webhook-id, retries counted afresh); the sweeper
      sends them on its next run.
  lms enable
      Enable the LMS destination again after it answered 410 Gone (it was disabled).

Runs against TABLE_NAME (with the usual AWS credentials), or the local stack of \`npm start\`
when TABLE_NAME is not set.`;

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
  io: CliIo;
  now?: () => Date;
  readFile?: (path: string) => string;
}

const quietLogger: Pick<Logger, 'info' | 'warn'> = { info() {}, warn() {} };

/** Runs one command; resolves to the process exit code. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        reacknowledge: { type: 'boolean', default: false },
        text: { type: 'boolean', default: false },
        employee: { type: 'string' },
        assignment: { type: 'string' },
        all: { type: 'boolean', default: false },
        policy: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, sub, arg] = positionals;
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? 0 : 2;
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
    if (command === 'lms') return await lms(deps, sub, values, clock.now());
    throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  } catch (error) {
    return fail(error, io);
  }
}

const MAX_DEAD_LETTERS = 1000;

async function lms(
  deps: CliDeps,
  sub: string | undefined,
  options: { all: boolean; assignment?: string | undefined },
  now: Date,
): Promise<number> {
  const { store, io } = deps;
  if (sub === 'dead-letters') {
    const dead = await store.deadLetters(MAX_DEAD_LETTERS);
    if (!dead.length) io.out('No dead letters.');
    for (const { assignmentId } of dead) {
      const a = await store.getAssignment(assignmentId);
      const letter = a?.lms?.deadLetter;
      io.out(
        `${assignmentId}  ${letter?.at ?? ''}  ${letter?.reason ?? ''}  status ${letter?.status ?? 'none'}` +
          `  attempts ${a?.lms?.attempts ?? 0}${letter?.body ? `  ${JSON.stringify(letter.body.slice(0, 120))}` : ''}`,
      );
    }
    return 0;
  }
  if (sub === 'replay') {
    if (options.all === Boolean(options.assignment)) {
      throw new UsageError('lms replay needs --all or --assignment <assignment-id>, not both');
    }
    const destination = await store.getDestination();
    if (destination.state === 'disabled') {
      throw new AttestError(
        'lms.disabled',
        `The LMS destination is disabled (${destination.reason ?? 'no reason recorded'}); run \`lms enable\` first.`,
      );
    }
    const ids = options.assignment
      ? [options.assignment]
      : (await store.deadLetters(MAX_DEAD_LETTERS)).map((d) => d.assignmentId);
    let replayed = 0;
    for (const id of ids) {
      if (await store.replayDelivery(id, now)) {
        replayed++;
        await store.appendAudit(id, 'delivery-replayed', now);
      } else if (options.assignment) {
        throw new AttestError('lms.not_dead', `${id} has no dead-lettered delivery.`);
      }
    }
    io.out(`Replaying ${replayed} deliveries; the sweeper sends them on its next run.`);
    return 0;
  }
  if (sub === 'enable') {
    await store.setDestination({ state: 'enabled', at: now.toISOString() });
    io.out(
      'The LMS destination is enabled. Replay what was dead-lettered while it was off: lms replay --all',
    );
    return 0;
  }
  throw new UsageError(`unknown command: lms ${sub ?? ''}`.trim());
}

async function evidenceIds(
  store: Store,
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
  if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
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

/** The table: TABLE_NAME on AWS, or the local stack's. */
function storeFromEnv(env: NodeJS.ProcessEnv, io: CliIo): Store {
  if (env.TABLE_NAME) return makeDynamoStore(env.TABLE_NAME);
  const endpoint = `http://127.0.0.1:${localPorts(env).dynamodb}`;
  io.err(`(the local stack's table at ${endpoint}; set TABLE_NAME for AWS)`);
  return makeDynamoStore(
    TABLE_NAME,
    new DynamoDBClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The SDK warns on Node 20 that its 2027 releases need Node 22: noise for a command's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const io: CliIo = { out: (t) => console.log(t), err: (t) => console.error(t) };
  process.exitCode = await runCli(process.argv.slice(2), { store: storeFromEnv(process.env, io), io });
}
