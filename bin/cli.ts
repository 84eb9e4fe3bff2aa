// The shell's plumbing, shared by every command: what a command may use, usage errors (exit 2), failures (exit 1), and ids that begin with "-".
import { readFileSync } from 'node:fs';
import { type Command, type CommanderError, InvalidArgumentError } from 'commander';
import type { AudienceRules } from '#shared/core/audience.ts';
import type { Channel } from '#shared/core/destinations/destination.ts';
import { makeDispatchDue } from '#shared/core/dispatch.ts';
import { AttestError, ValidationError } from '#shared/core/errors.ts';
import type { Lifecycle } from '#shared/core/lifecycle.ts';
import type { DeliveryKind } from '#shared/core/model.ts';
import type { PayloadSettings } from '#shared/core/privacy/export.ts';
import type { RetentionSettings } from '#shared/core/privacy/retention.ts';
import { decodeUtf8 } from '#shared/core/utf8.ts';
import type { Clock, HttpClient, KeyVault, Queue, Store } from '#shared/ports.ts';

/**
 * A file the user gives (a starters CSV, a policy and its translations, an erasure log) as text:
 * UTF-8, a BOM dropped; anything else refused, naming the file, line and byte (exit 1), before
 * any of it is used.
 */
export const readTextFile = (path: string): string => decodeUtf8(readFileSync(path), path);

/** 0: done; 1: the thing asked for failed; 2: the command was called wrongly. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

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
  /** Whether a file is there (a policy's translations beside it); with `readFile` given and this not, none is. */
  fileExists?: (path: string) => boolean;
  /** The link keys' secret (on AWS); absent, `keys` explains that the local stack's are fixed. */
  keyVault?: KeyVault;
  /** The mailer's TOKEN_TTL: how long a link is valid. */
  tokenTtlMs?: number;
  /** The least time between two fresh links for one assignment (FRESH_LINK_INTERVAL). */
  freshLinkIntervalMs?: number;
  /** The mail queue, for the invites of starters imported or added; absent on AWS without MAIL_QUEUE_URL. */
  mailQueue?: Queue;
  /** The LMS queue, for a backfill's deliveries; absent on AWS without LMS_QUEUE_URL (the sweeper sends them). */
  lmsQueue?: Queue;
  /** The policies this build carries (templates/policies); absent, read from the build. */
  knownPolicies?: readonly string[];
  /** DEFAULT_POLICIES: what a starter naming no policies is assigned. */
  defaultPolicies?: readonly string[];
  /** The audience rules; absent, those this build carries (templates/policies/audience.yaml). */
  audience?: AudienceRules;
  /** LMS_MODE: the destinations an agreement recorded here (`accept-on-behalf`) is owed to; absent, the webhook. */
  deliveries?: readonly DeliveryKind[];
  /** REDRIVE_AFTER: when an invite whose queue message was lost is re-driven by the sweeper. */
  redriveAfterMs?: number;
  /** When a leaver's request is first looked at for expiry; absent, at once (LOOK_AT_ONCE: the sweep counts with its own settings). */
  retention?: Pick<RetentionSettings, 'unsignedAfterLeaving' | 'evidence'>;
  /**
   * Asks a person a yes-or-no question, true for yes; given only when stdin and stdout are a
   * terminal, so scripts and pipes are never asked.
   */
  confirm?: (question: string) => Promise<boolean>;
  /** A progress bar on stderr for `total` steps; given only when stderr is a terminal. */
  progressBar?: (total: number) => { update(done: number): void; stop(): void };
  /**
   * The LMS destinations as lms-push reaches them, for `lms test`: a destination's channel from the
   * settings and secrets of the environment (a ConfigError naming what is missing), the HTTP client
   * and LMS_TIMEOUT.
   */
  lms?: {
    channel(kind: DeliveryKind): Promise<Channel>;
    http: HttpClient;
    timeoutMs: number;
    /** The destinations' settings a subject access export rebuilds their payloads from. */
    payloads?(): Promise<PayloadSettings>;
  };
  /** PSEUDONYM_KEY, read when an erasure needs it (a secret on AWS, a fixed local key for the local stack). */
  pseudonymKey?: () => Promise<string>;
  /** Each policy's `reattest:` (over REATTEST_EVERY) and `due:`: the report's renewal states. */
  lifecycleFor?: (policyId: string) => Lifecycle;
  /** ORGANISATION_NAME, as the emails a policy preview shows sign off. */
  organisationName?: string;
  /** CHROMIUM_PATH: the Chromium a policy preview's screenshots are taken with. */
  chromiumPath?: string;
  /** attest's version (package.json), stated in a subject access export. */
  version?: string;
  /** Opens a file to write (a report's CSV), readable only by its owner; `remove` closes and deletes it. */
  createFile?: (path: string) => { write(text: string): void; close(): void; remove(): void };
}

/**
 * The sweeper's dispatch (claim, then send ten to a call) onto the CLI's queues, for commands that
 * owe work in bulk (a re-acknowledgement, a backfill); undefined without the queue `needs`.
 */
export function cliDispatch(shell: Shell, needs: 'mail' | 'lms') {
  const { deps } = shell;
  const queues = { mail: deps.mailQueue, lms: deps.lmsQueue };
  if (!queues[needs]) return undefined;
  return makeDispatchDue({
    store: deps.store,
    queues: { ...(queues.mail && { mail: queues.mail }), ...(queues.lms && { lms: queues.lms }) },
    // A message refused is owed still, and the sweeper sends it: said on stderr, not a failure.
    logger: { warn: (message) => shell.io.err(`attest: ${message}; the sweeper sends it`) },
    redriveAfterMs: deps.redriveAfterMs ?? 15 * 60_000,
  });
}

/** What a command's action is given: the ports, a clock, and a way to fail having said why. */
export interface Shell {
  deps: CliDeps;
  io: CliIo;
  clock: Clock;
  /** The thing asked for failed (exit 1), its reasons already on stderr. */
  failed(): void;
}

/** A mistake in how a command was called: its message and a pointer to the command's help, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command called wrongly, when known: its help is the one pointed to. */
  command: Command | undefined;

  constructor(message: string, command?: Command) {
    super(message);
    this.command = command;
  }
}

/** `lms replay`, as typed after `attest`. */
export const pathOf = (command: Command): string[] =>
  command.parent ? [...pathOf(command.parent), command.name()] : [];

/** "a or b", "a, b or c": how a usage message lists the values allowed. */
export const oneOf = (names: readonly string[]) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : (names[0] ?? '');

/**
 * Commander's refusal of a call, as attest words it: the words typed (every word of an unknown
 * command, the first word too many) and what a missing argument is, from its description.
 */
export function usageMessage(error: CommanderError, command: Command): string {
  const message = error.message.replace(/^error: /, '');
  if (error.code === 'commander.unknownCommand') {
    const suggestion = /\n\(Did you mean .*\)$/s.exec(message)?.[0] ?? '';
    return `unknown command: ${[...pathOf(command), ...command.args].join(' ')}${suggestion}`;
  }
  if (error.code === 'commander.excessArguments') {
    const word = command.args[command.registeredArguments.length] ?? '';
    return `unexpected ${JSON.stringify(word)}${word.startsWith('-') ? ', not an option attest knows' : ''}`;
  }
  const missing = command.registeredArguments.find((a, i) => a.required && command.args[i] === undefined);
  if (error.code === 'commander.missingArgument' && missing?.description) {
    return `${pathOf(command).join(' ')} needs ${missing.description}`;
  }
  return message;
}

/** The usage error told in two lines: what was wrong, and where that command's help is. */
export function usageText(error: UsageError): string {
  const path = error.command ? pathOf(error.command) : [];
  return `attest: ${error.message}\nTry \`${['attest', ...path, '--help'].join(' ')}\`.`;
}

/** Any other error, told in one line without a stack; every one is exit 1. */
export function failureText(error: unknown): string {
  if (error instanceof ValidationError) {
    return `attest: the policy file is not valid:\n${error.issues.map((i) => `  ${i.field}: ${i.message}`).join('\n')}`;
  }
  if (error instanceof AttestError) return `attest: ${error.message}`;
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return `attest: no such file: ${e.path}`;
  if (e?.code === 'ECONNREFUSED' || (e as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED') {
    return 'attest: cannot reach DynamoDB. For the local stack, is `npm start` running?';
  }
  // Only with TABLE_NAME (the local stack brings its own region and credentials): AWS is not set up.
  if (e?.message === 'Region is missing') {
    return 'attest: no AWS region: TABLE_NAME is set, so attest works on AWS; set AWS_REGION (or AWS_PROFILE) to the stack’s, or unset TABLE_NAME for the local stack.';
  }
  if (e?.name === 'CredentialsProviderError') {
    return `attest: no AWS credentials (${e.message}): TABLE_NAME is set, so attest works on AWS with the usual credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY); unset TABLE_NAME for the local stack.`;
  }
  return `attest: ${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/** A word that reads as an option: attest's own, and misspellings (`--destnation`) for commander to refuse. */
const OPTION_LIKE = /^(-h|--[a-z]+(-[a-z]+)*(=.*)?)$/s;

/**
 * Assignment ids are base64url, so one in 64 begins with "-" (`attest evidence -6eNF…`), and
 * commander would refuse it as an unknown option. Such a word, which no option of attest could
 * be, goes after "--" (where every word is an argument), and the words after it follow it, so
 * arguments keep their order; an option's value stays beside its option. So ids are typed as
 * they are printed.
 */
export function idsAsArguments(argv: readonly string[], takesValue: ReadonlySet<string>): string[] {
  const kept: string[] = [];
  const moved: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      moved.push(...argv.slice(i + 1));
      break;
    }
    if (OPTION_LIKE.test(word)) {
      kept.push(word);
      const value = argv[i + 1];
      if (takesValue.has(word) && value !== undefined && value !== '--') kept.push(argv[++i] as string);
    } else if (moved.length || (word.startsWith('-') && word !== '-')) moved.push(word);
    else kept.push(word);
  }
  return moved.length ? [...kept, '--', ...moved] : kept;
}

/** An option given another option where its value belongs (`--employee --text`) lacks its value. */
export function notAnOption(value: string): string {
  if (OPTION_LIKE.test(value)) throw new InvalidArgumentError(`${value} is an option: the value is missing.`);
  return value;
}
