// The attest command line: its commands (each in its own module), how a call is parsed and told (exit 0, 1 or 2), and the table it runs against.
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Command, CommanderError } from 'commander';
import { channelFromEnv, payloadSettingsFromEnv } from '#shared/adapters/destination-channel.ts';
import { makeDynamoStore, type TableLayout } from '#shared/adapters/dynamo/store.ts';
import { makeHttpClient } from '#shared/adapters/http-client.ts';
import { resolveLongSecret } from '#shared/adapters/secrets.ts';
import { secretsManagerVault } from '#shared/adapters/secrets-manager.ts';
import { makeSqsQueue } from '#shared/adapters/sqs-queue.ts';
import { common, parseEnv } from '#shared/config.ts';
import { type CalendarDuration, durationSetting, parseDuration } from '#shared/core/duration.ts';
import { lifecycles } from '#shared/core/lifecycle.ts';
import type { DeliveryKind } from '#shared/core/model.ts';
import * as z from '#shared/core/zod.ts';
import type { Queue, Store } from '#shared/ports.ts';
import pkg from '../package.json' with { type: 'json' };
import { addAudienceCommands } from './audience.ts';
import {
  type CliDeps,
  EXIT,
  failureText,
  idsAsArguments,
  notAnOption,
  type Shell,
  UsageError,
  usageMessage,
  usageText,
} from './cli.ts';
import { addEvidenceCommand } from './evidence.ts';
import { addKeysCommands } from './keys.ts';
import { addLmsCommands } from './lms.ts';
import { addOnBehalfCommand } from './on-behalf.ts';
import { addPolicyCommands } from './policy.ts';
import { addPrivacyCommands } from './privacy.ts';
import { addReportCommand } from './report.ts';
import { addStarterCommands, terminalProgressBar } from './starters.ts';

export type { CliDeps, CliIo } from './cli.ts';

/** Said once, under the commands: where attest reads, and what its output and exit codes mean. */
const ROOT_HELP_AFTER = `
Runs against the table TABLE_NAME names, with the usual AWS credentials. When
TABLE_NAME is not set, and only then, against the local stack of \`npm start\`
(its DynamoDB on DYNAMODB_LOCAL_PORT, 8000 by default). --verbose says which.

Only the answer goes to stdout; diagnostics go to stderr, on error or with
--verbose. Exit codes: 0 done, 1 what was asked for failed, 2 the command was
called wrongly. \`attest <command> --help\` describes a command and its options.`;

/** The program, its commands' actions closed over `shell`: one per call, as commander keeps what it parsed. */
function attestProgram(shell: Shell): Command {
  const program = new Command('attest')
    .description(
      'Import starters, explain who signs what, publish policy versions, show the evidence of agreements, report who has not signed, look after the LMS deliveries and the link keys, and export what attest holds about a person.',
    )
    .option('--verbose', 'say on stderr which table is read')
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', ROOT_HELP_AFTER);
  addStarterCommands(program, shell);
  addAudienceCommands(program, shell);
  addPolicyCommands(program, shell);
  addEvidenceCommand(program, shell);
  addOnBehalfCommand(program, shell);
  addReportCommand(program, shell);
  addLmsCommands(program, shell);
  addKeysCommands(program, shell);
  addPrivacyCommands(program, shell);
  return program;
}

/** The command `words` name under `command` (`['lms', 'replay']`), if every word names one. */
const commandAt = (command: Command, words: readonly string[]): Command | undefined =>
  words.reduce<Command | undefined>((at, word) => at?.commands.find((c) => c.name() === word), command);

/** Every command under `command`, itself first. */
const commandsOf = (command: Command): Command[] => [command, ...command.commands.flatMap(commandsOf)];

/** Runs one command; resolves to the process exit code. Commander never exits the process. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  let code: number = EXIT.ok;
  const shell: Shell = {
    deps,
    io,
    clock: { now: deps.now ?? (() => new Date()) },
    failed: () => {
      code = EXIT.failed;
    },
  };
  const program = attestProgram(shell);
  // Commander's help comes in pieces; each stream gets it as one text, as io.out ends a line.
  const help = { out: '', err: '' };
  program.configureOutput({
    writeOut: (text) => {
      help.out += text;
    },
    writeErr: (text) => {
      help.err += text;
    },
    outputError: () => {}, // told below, with attest's words
  });
  // The command whose action runs: a usage error found inside it points to its help.
  let running: Command | undefined;
  program.hook('preAction', (_, action) => {
    running = action;
    // The keys live in their own secret, not the table.
    if (program.opts().verbose && deps.where && action.parent?.name() !== 'keys') io.err(deps.where);
  });
  const takesValue = new Set<string>();
  for (const command of commandsOf(program)) {
    command.configureOutput(program.configureOutput());
    command.exitOverride((error) => {
      // Help asked for (exit 0) or shown for want of a subcommand (a usage error) is commander's
      // to print; any other refusal is attest's to word, with this command's help to point to.
      if (error.code.startsWith('commander.help')) throw error;
      throw new UsageError(usageMessage(error, command), command);
    });
    for (const option of command.options) {
      if (!option.required && !option.optional) continue;
      if (option.long) takesValue.add(option.long);
      option.argParser(notAnOption);
    }
  }

  try {
    // `attest help lms replay` is `attest lms replay --help`: commander's help command reads one word
    // only. Words naming no command are run as typed, to be refused as an unknown command.
    const asked = argv[0] === 'help' ? argv.slice(1) : [];
    const named = asked.length > 0 && commandAt(program, asked) !== undefined;
    const words = asked.length ? [...asked, ...(named ? ['--help'] : [])] : argv;
    await program.parseAsync(idsAsArguments(words, takesValue), { from: 'user' });
    return code;
  } catch (error) {
    // Help asked for goes to stdout; help shown for want of a subcommand, to stderr.
    if (error instanceof CommanderError) return help.err ? EXIT.usage : EXIT.ok;
    if (error instanceof UsageError) {
      error.command ??= running;
      io.err(usageText(error));
      return EXIT.usage;
    }
    io.err(failureText(error));
    return EXIT.failed;
  } finally {
    if (help.out) io.out(help.out.replace(/\n$/, ''));
    if (help.err) io.err(help.err.replace(/\n$/, ''));
  }
}

/** The table: TABLE_NAME on AWS; only without it, the local stack's, from local/'s settings. And which, for --verbose. */
async function storeFromEnv(
  env: NodeJS.ProcessEnv,
  layout: TableLayout,
): Promise<{ store: Store; where: string }> {
  if (env.TABLE_NAME)
    return { store: makeDynamoStore(env.TABLE_NAME, undefined, layout), where: `(table ${env.TABLE_NAME})` };
  const local = await import('../local/settings.ts');
  const endpoint = `http://127.0.0.1:${local.localPorts(env).dynamodb}`;
  const client = new DynamoDBClient({
    region: local.LOCAL_REGION,
    endpoint,
    credentials: local.LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    store: makeDynamoStore(local.TABLE_NAME, client, layout),
    where: `(the local stack's table at ${endpoint}; set TABLE_NAME for AWS)`,
  };
}

/**
 * The mail queue, for starters imported or added: MAIL_QUEUE_URL with TABLE_NAME (none without
 * it); only without TABLE_NAME, the local stack's, asked of its SQS on SQS_LOCAL_PORT by name (its
 * URL's host, sqs.<region>.localhost, resolves only inside the stack's process). The LMS queue
 * likewise (LMS_QUEUE_URL), for a backfill's deliveries.
 */
async function queueFromEnv(env: NodeJS.ProcessEnv, which: 'mail' | 'lms'): Promise<Queue | undefined> {
  const url = which === 'mail' ? env.MAIL_QUEUE_URL : env.LMS_QUEUE_URL;
  if (env.TABLE_NAME) return url ? makeSqsQueue(url) : undefined;
  const local = await import('../local/settings.ts');
  const client = new SQSClient({
    region: local.LOCAL_REGION,
    endpoint: `http://127.0.0.1:${local.localPorts(env).sqs}`,
    credentials: local.LOCAL_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
    maxAttempts: 1,
  });
  let queue: Promise<Queue> | undefined;
  const named = () =>
    (queue ??= client
      .send(
        new GetQueueUrlCommand({
          QueueName: which === 'mail' ? local.MAIL_QUEUE_NAME : local.LMS_QUEUE_NAME,
        }),
      )
      .then(({ QueueUrl }) => makeSqsQueue(QueueUrl as string, client)));
  return {
    async send(message, delaySeconds) {
      await (await named()).send(message, delaySeconds);
    },
    async sendBatch(entries) {
      return (await named()).sendBatch(entries);
    },
  };
}

/**
 * The LMS destinations for `lms test`, reached as lms-push reaches them: the settings and secrets
 * of `env` (TABLE_NAME's deployment; its secrets inline or by `_SECRET_ARN`) or, only without
 * TABLE_NAME, the local stack's demo receiver on LMS_RECEIVER_PORT, with what `env` sets over it.
 */
async function lmsFromEnv(env: NodeJS.ProcessEnv): Promise<NonNullable<CliDeps['lms']>> {
  let lmsEnv = env;
  if (!env.TABLE_NAME) {
    const local = await import('../local/settings.ts');
    lmsEnv = { ...local.localLmsSettings(local.localPorts(env).lms), ...local.LOCAL_SECRETS, ...env };
  }
  const { LMS_TIMEOUT } = parseEnv(z.object({ LMS_TIMEOUT: z._default(durationSetting, 10_000) }), lmsEnv);
  return {
    http: makeHttpClient(),
    timeoutMs: LMS_TIMEOUT,
    async channel(kind) {
      const { bundledPolicies } = await import('#templates/policies.ts');
      return channelFromEnv(kind, lmsEnv, { policies: bundledPolicies });
    },
    async payloads() {
      const { bundledPolicies } = await import('#templates/policies.ts');
      return payloadSettingsFromEnv(lmsEnv, { policies: bundledPolicies });
    },
  };
}

/**
 * PSEUDONYM_KEY: inline or by PSEUDONYM_KEY_SECRET_ARN for a deployment (TABLE_NAME set); for the
 * local stack, the environment's or the local stack's fixed key.
 */
async function pseudonymKeyFromEnv(env: NodeJS.ProcessEnv): Promise<string> {
  if (!env.TABLE_NAME && !env.PSEUDONYM_KEY)
    return (await import('../local/settings.ts')).LOCAL_PSEUDONYM_KEY;
  return resolveLongSecret(env, 'PSEUDONYM_KEY');
}

/** Asks on the terminal; only `y` or `yes` (any case) is a yes, so Enter alone declines. */
async function terminalConfirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^\s*y(es)?\s*$/i.test(await prompt.question(`${question} [y/N] `));
  } finally {
    prompt.close();
  }
}

/**
 * A reader that stops early (`attest report … | head -1`) closes the pipe: the next write fails with
 * EPIPE, which Node raises as an unhandled error with its stack. The reader has what it wanted, so
 * attest ends there, quietly and with status 0, as Unix tools do; any other write error still throws.
 */
function endQuietlyWhenStdoutCloses(stdout: NodeJS.WriteStream, exit: (code: number) => never): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(EXIT.ok);
  });
}

/** The command line as the `attest` executable (bin/attest.js) and `npm run attest` run it; answers the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  endQuietlyWhenStdoutCloses(process.stdout, (code) => process.exit(code));
  // The SDK warns on Node 20 that its 2027 releases need Node 22: noise for a command's output.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const arn = env.ACK_TOKEN_KEYS_SECRET_ARN;
  let lms: NonNullable<CliDeps['lms']>;
  let settings: {
    DEFAULT_POLICIES: string[];
    LMS_MODE: DeliveryKind[];
    REDRIVE_AFTER: number;
    DUE_SHARDS: number;
    FRESH_LINK_INTERVAL: number;
    REATTEST_EVERY?: CalendarDuration | undefined;
  };
  let lifecycleFor: NonNullable<CliDeps['lifecycleFor']>;
  try {
    lms = await lmsFromEnv(env);
    settings = parseEnv(
      z.object({
        DEFAULT_POLICIES: common.DEFAULT_POLICIES,
        LMS_MODE: common.LMS_MODE,
        REDRIVE_AFTER: common.REDRIVE_AFTER,
        DUE_SHARDS: common.DUE_SHARDS,
        FRESH_LINK_INTERVAL: common.FRESH_LINK_INTERVAL,
        REATTEST_EVERY: common.REATTEST_EVERY,
      }),
      env,
    );
    const { bundledPolicies } = await import('#templates/policies.ts');
    lifecycleFor = lifecycles(bundledPolicies, settings.REATTEST_EVERY);
  } catch (error) {
    console.error(failureText(error));
    return EXIT.failed;
  }
  const mailQueue = await queueFromEnv(env, 'mail');
  const lmsQueue = await queueFromEnv(env, 'lms');
  return runCli(argv, {
    ...(await storeFromEnv(env, { dueShards: settings.DUE_SHARDS })),
    ...(mailQueue && { mailQueue }),
    ...(lmsQueue && { lmsQueue }),
    lms,
    // Progress only where a person watches: never into a pipe or a log.
    ...(process.stderr.isTTY && { progressBar: terminalProgressBar }),
    // Questions only where a person can answer: never in a script, a pipe or CI.
    ...(process.stdin.isTTY && process.stdout.isTTY && { confirm: terminalConfirm }),
    defaultPolicies: settings.DEFAULT_POLICIES,
    deliveries: settings.LMS_MODE,
    redriveAfterMs: settings.REDRIVE_AFTER,
    freshLinkIntervalMs: settings.FRESH_LINK_INTERVAL,
    lifecycleFor,
    io: { out: (t) => console.log(t), err: (t) => console.error(t) },
    version: pkg.version,
    pseudonymKey: () => pseudonymKeyFromEnv(env),
    ...(arn && { keyVault: secretsManagerVault(new SecretsManagerClient({}), arn) }),
    ...(env.TOKEN_TTL && { tokenTtlMs: parseDuration(env.TOKEN_TTL) }),
    ...(env.ORGANISATION_NAME && { organisationName: env.ORGANISATION_NAME }),
    ...(env.CHROMIUM_PATH && { chromiumPath: env.CHROMIUM_PATH }),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
