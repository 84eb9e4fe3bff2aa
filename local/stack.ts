// The embedded local stack: emulators, the same handlers behind a gateway and pollers, the sweeper timer, the demo LMS.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { hasColours } from '#shared/adapters/log-line.ts';
import { makeLogger } from '#shared/adapters/logger.ts';
import { readSesQuota } from '#shared/adapters/ses-mailer.ts';
import {
  DEFAULT_SES_RATE,
  type MailerSize,
  mailerConcurrency,
  makeSizeMailers,
  parseSendRate,
} from '#shared/core/send-rate.ts';
import { HTTP_ROUTES, type HttpFunction } from '../functions/routes.ts';
import { type EmulatorThread, startEmulatorThread } from './emulator-thread.ts';
import { LOCAL_CREDENTIALS } from './emulators.ts';
import { createGateway, type HttpHandler } from './gateway.ts';
import { invoked } from './invocation.ts';
import { createLmsReceiver, type LmsReceiver } from './lms-receiver.ts';
import { LOCAL_OIDC_CLIENT_ID, type LocalOidcProvider, startLocalOidcProvider } from './oidc-provider.ts';
import { type QueueFunctions, startQueueFunctions } from './queue-functions.ts';
import { reportedIn } from './ses-mailbox.ts';
import type { LocalSesQuota } from './ses-quota.ts';
import { startSesSimulator } from './ses-simulator.ts';
import {
  LOCAL_CONSOLE_PASSWORD,
  LOCAL_LRS_USERNAME,
  LOCAL_REGION,
  LOCAL_SECRETS,
  type LocalPorts,
  localLmsSettings,
  TABLE_NAME,
} from './settings.ts';
import { startTtlReaper } from './ttl-reaper.ts';

/** The sweeper's time per sweep, as the stack gives it on AWS (one minute). */
const SWEEPER_TIMEOUT_MS = 60_000;

export interface LocalStackOptions {
  ports: LocalPorts;
  /** dynalite's data directory; undefined keeps everything in memory. */
  dataDir: string | undefined;
  /** Settings passed to the functions over the local defaults (e.g. SWEEP_INTERVAL, LOG_LEVEL). */
  env?: Record<string, string>;
  /** Where the stack reports a handler's unexpected error. */
  onError?: (error: unknown) => void;
  /** The demo users' password at the local OpenID provider (default LOCAL_CONSOLE_PASSWORD's local default). */
  consolePassword?: string;
  /** How often the emulation of DynamoDB's TTL deletes expired items (default five seconds). */
  ttlIntervalMs?: number;
  /** The local SES account's send quota (default a new production account's: 14 a second, 50,000 a day). */
  sesQuota?: LocalSesQuota;
  /**
   * Runs the mailer and lms-push on the stack's own thread rather than one of their own: for a test
   * that watches their calls and writes from this thread (default false).
   */
  queueFunctionsOnThisThread?: boolean;
  /** Modules (file URLs) the queue functions' thread imports before them (local/queue-pollers.ts). */
  queueFunctionsPreload?: string[];
}

export interface LocalStack {
  urls: {
    api: string;
    /** The console's front page. */
    console: string;
    /** The local OpenID provider's issuer. */
    oidc: string;
    mailbox: string;
    lms: string;
    dynamodb: string;
    sqs: string;
  };
  queues: { mail: string; mailDlq: string; lms: string; lmsDlq: string };
  env: Record<string, string>;
  lms: LmsReceiver;
  /** Runs one sweep now (the timer also runs them). */
  sweep(): Promise<unknown>;
  /** Deletes the items whose TTL has passed now, as DynamoDB would in its own time (a timer also does). */
  reapExpired(): Promise<number>;
  /** Hands an SNS-wrapped SES event to the ses-events handler, as the topic would. */
  sesEvent(event: import('aws-lambda').SNSEvent): Promise<void>;
  /** The local SES's send quota: change it, or count the sends it refused. */
  sesQuota: EmulatorThread['sesQuota'];
  /** How busy the emulators' thread has been (the benches set it beside this thread's). */
  emulatorUtilization: EmulatorThread['utilization'];
  /** How busy the queue functions' thread (the mailer's and lms-push's) has been. */
  queueFunctionsUtilization: QueueFunctions['utilization'];
  stop(): Promise<void>;
}

/** lms-push's batches at once: the LMS event source's maximum concurrency on AWS (infra/attest-stack.ts). */
const LMS_CONCURRENCY = 5;

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const onError = options.onError ?? ((error) => console.error(error));
  // The SDK warns on Node 20 that its 2027 releases need Node 22; the Lambdas run Node 22 already.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const visibilitySeconds = 10;
  // On a thread of their own, as AWS's services are apart from the functions (and the mailbox,
  // with a data directory, kept there on disk: local/ses-mailbox.ts).
  const emulators = await startEmulatorThread({
    ports: options.ports,
    dataDir: options.dataDir,
    visibilitySeconds,
    sesQuota: options.sesQuota,
  });
  // During a rotation the secret holds the new and the old: the demo LMS verifies with the first.
  const lmsSecret = (options.env?.LMS_WEBHOOK_SECRET ?? LOCAL_SECRETS.LMS_WEBHOOK_SECRET).split(
    /[\s,]+/,
  )[0] as string;
  const lms = createLmsReceiver(
    lmsSecret,
    {
      username: options.env?.LRS_USERNAME ?? LOCAL_LRS_USERNAME,
      password: options.env?.LRS_PASSWORD ?? LOCAL_SECRETS.LRS_PASSWORD,
    },
    options.env?.MOODLE_TOKEN ?? LOCAL_SECRETS.MOODLE_TOKEN,
  );
  const opened: Array<Server | LocalOidcProvider | QueueFunctions> = [];
  try {
    return await startServices(options, emulators, lms, opened, onError);
  } catch (error) {
    // Leave nothing listening behind a failed start (a port in use, say).
    await Promise.all(opened.map((open) => ('stop' in open ? open.stop() : open.close())));
    await emulators.stop();
    throw error;
  }
}

async function startServices(
  options: LocalStackOptions,
  emulators: EmulatorThread,
  lms: LmsReceiver,
  opened: Array<Server | LocalOidcProvider | QueueFunctions>,
  onError: (error: unknown) => void,
): Promise<LocalStack> {
  // With a data directory the mailbox outlives the process, as SES's does (kept on the emulators'
  // thread), and so does what has been reported of it: after a crash the emails SES took before it
  // are reported once.
  const lmsPort = await listen(lms.server, options.ports.lms);
  opened.push(lms.server);

  // The gateway must know its port before the handlers load: the links they mint point at it.
  const gatewayRoutes: Array<{ method: string; path: string; handler: HttpHandler }> = [];
  const health = async (_req: unknown, res: import('node:http').ServerResponse) => {
    const status = await checkHealth();
    res.writeHead(status.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(status));
  };
  const gateway = createGateway(gatewayRoutes, { 'GET /healthz': health }, onError);
  const apiPort = await listen(gateway, options.ports.api);
  opened.push(gateway);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // The console signs in at a provider of its own on this machine; its pages are below the API's URL.
  const oidc = await startLocalOidcProvider({
    port: options.ports.oidc,
    consoleBaseUrl: apiUrl,
    password: options.consolePassword ?? LOCAL_CONSOLE_PASSWORD,
    onError,
    debug: options.env?.LOG_LEVEL?.toLowerCase() === 'debug',
  });
  opened.push(oidc);

  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: emulators.endpoints.sqs,
    AWS_ENDPOINT_URL_SESV2: emulators.endpoints.ses,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME,
    MAIL_QUEUE_URL: emulators.queues.mail,
    LMS_QUEUE_URL: emulators.queues.lms,
    PUBLIC_BASE_URL: apiUrl,
    MAIL_FROM: 'onboarding@attest.example',
    // Decline notices go to the manager and to this demo HR address, in the local mailbox.
    HR_NOTIFY_EMAIL: 'hr@attest.example',
    SES_CONFIGURATION_SET: 'attest',
    ORGANISATION_NAME: 'Wirral Children’s Services',
    // Completions go to the demo receiver: as a webhook, and (with LMS_MODE=webhook,xapi or xapi)
    // as xAPI statements to the demo LRS inside it, and (with moodle) to its demo Moodle.
    LMS_MODE: 'webhook',
    ...localLmsSettings(lmsPort),
    SWEEP_INTERVAL: 'PT10S',
    REDRIVE_AFTER: 'PT1M',
    // A manager's digest collects escalations for seconds, not the quarter hour it does on AWS.
    DIGEST_DELAY: 'PT10S',
    // LMS retries in seconds and minutes, so a person can watch an outage end (about three days on AWS).
    LMS_RETRY_SCHEDULE: 'PT2S,PT5S,PT10S,PT30S,PT1M,PT2M,PT5M,PT10M,PT15M',
    // One process is one mailer instance (its pollers' batches run side by side in it): the whole
    // rate is its share. On AWS the stack sets the event source's maximum concurrency here.
    MAILER_CONCURRENCY: '1',
    POWERTOOLS_SERVICE_NAME: 'attest',
    // Nothing here reads CloudWatch's embedded metric format: its lines would only drown the logs.
    POWERTOOLS_METRICS_DISABLED: 'true',
    // The console signs in at the local provider, whose ID tokens carry the groups as `groups`.
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: LOCAL_OIDC_CLIENT_ID,
    OIDC_GROUPS_CLAIM: 'groups',
    ...LOCAL_SECRETS,
    ...options.env,
  };
  // The functions read their configuration from the environment at load, exactly as on Lambda.
  Object.assign(process.env, env);
  // As many batches at once as the event sources allow on AWS (infra/attest-stack.ts).
  const rate = env.SES_MAX_RATE?.trim() ? parseSendRate(env.SES_MAX_RATE) : DEFAULT_SES_RATE;
  // The queue functions on a thread of their own, started beside this thread's imports; a failure
  // of either ends the other's work (a thread left running would keep the process alive).
  const [queueFunctions, imported] = await Promise.allSettled([
    startQueueFunctions(
      {
        sqsEndpoint: emulators.endpoints.sqs,
        queues: { mail: emulators.queues.mail, lms: emulators.queues.lms },
        concurrency: { mail: mailerConcurrency(rate), lms: LMS_CONCURRENCY },
        colours: { stdout: hasColours(process.stdout), stderr: hasColours(process.stderr) },
        preload: options.queueFunctionsPreload,
      },
      onError,
      options.queueFunctionsOnThisThread,
    ),
    Promise.all([
      import('#functions/sweeper/handler.ts'),
      import('#functions/sweeper/config.ts'),
      import('#functions/ses-events/handler.ts'),
    ]),
  ]);
  if (queueFunctions.status === 'fulfilled') opened.push(queueFunctions.value);
  if (queueFunctions.status === 'rejected') throw queueFunctions.reason;
  if (imported.status === 'rejected') throw imported.reason;
  const functions = queueFunctions.value;
  const [sweeper, sweeperConfig, sesEvents] = imported.value;
  // Each handler is called with a Lambda context naming its function, as Lambda calls it.
  const sesEventsHandler = invoked('ses-events', sesEvents.handler);
  // Given a minute, as the stack gives the sweeper (infra/attest-stack.ts): it sweeps on while work and time remain.
  const sweeperHandler = invoked('sweeper', sweeper.handler, SWEEPER_TIMEOUT_MS);
  // The functions behind the HTTP API, as the route table names them: a route added there is served here.
  const httpFunctions = [...new Set(HTTP_ROUTES.map((route) => route.function))];
  const httpHandlers = Object.fromEntries(
    await Promise.all(
      httpFunctions.map(async (name) => {
        const { handler } = (await import(`#functions/${name}/handler.ts`)) as { handler: HttpHandler };
        return [name, invoked(name, handler)] as const;
      }),
    ),
  ) as Record<HttpFunction, HttpHandler>;
  gatewayRoutes.push(...HTTP_ROUTES.map((route) => ({ ...route, handler: httpHandlers[route.function] })));

  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.endpoints.sqs });
  const ddb = new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
  // As the sweeper keeps the mailers' event source sized for SES's quota on AWS, the local stack
  // keeps the mail poller sized for the local SES's (SES_LOCAL_MAX_SEND_RATE), with each sweep.
  const ses = new SESv2Client({ ...clientConfig, endpoint: emulators.endpoints.ses });
  const logger = makeLogger();
  const sizeMailers = makeSizeMailers({
    readQuota: () => readSesQuota(ses),
    maxRate: env.SES_MAX_RATE?.trim() ? rate : undefined,
    scaling: {
      current: async () => functions.mailConcurrency,
      set: (concurrency) => functions.resizeMail(concurrency),
    },
    logger,
  });
  /** As the sweeper on AWS: a quota not read leaves the size as it was, for the next sweep. */
  const sizeMailersNow = () =>
    sizeMailers().catch((error: Error): MailerSize | undefined => {
      logger.warn('mailers not sized for the SES quota; left as they were', { error: error.name });
      return undefined;
    });
  await sizeMailersNow();

  // The sweeper on a timer, as EventBridge runs it on AWS; a slow sweep is never overlapped.
  let sweeping: Promise<unknown> | undefined;
  const sweep = () => {
    sweeping ??= sweeperHandler(undefined)
      .then(async (result) => ({ ...(result as object), mailers: await sizeMailersNow() }))
      .catch(onError)
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };
  const timer = setInterval(sweep, sweeperConfig.config.SWEEP_INTERVAL);
  // dynalite has no TTL: expired items (retention's, HR event receipts) are deleted here instead.
  const reaper = startTtlReaper(ddb, env.TABLE_NAME ?? TABLE_NAME, options.ttlIntervalMs ?? 5000, onError);
  // SES's mailbox simulator addresses bounce and complain here too, through the same handler.
  const simulator = startSesSimulator(
    emulators.endpoints.ses,
    sesEventsHandler,
    onError,
    500,
    options.dataDir ? reportedIn(options.dataDir) : undefined,
  );

  async function checkHealth() {
    const probe = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        return 'up';
      } catch {
        return 'down';
      }
    };
    const components = {
      dynamodb: await probe(() => ddb.send(new ListTablesCommand({}))),
      sqs: await probe(() => sqs.send(new ListQueuesCommand({}))),
      ses: await probe(async () => {
        const r = await fetch(`${emulators.endpoints.ses}/health-check`);
        if (!r.ok) throw new Error(String(r.status));
      }),
      lms: lms.server.listening ? 'up' : 'down',
      oidc: await probe(async () => {
        const r = await fetch(`${oidc.issuer}/.well-known/openid-configuration`);
        if (!r.ok) throw new Error(String(r.status));
      }),
    };
    return { ok: Object.values(components).every((s) => s === 'up'), components };
  }

  return {
    urls: {
      api: apiUrl,
      console: `${apiUrl}/console/`,
      oidc: oidc.issuer,
      mailbox: emulators.endpoints.ses,
      lms: `http://127.0.0.1:${lmsPort}`,
      dynamodb: emulators.endpoints.dynamodb,
      sqs: emulators.endpoints.sqs.replace(`sqs.${LOCAL_REGION}.localhost`, '127.0.0.1'),
    },
    queues: emulators.queues,
    env,
    lms,
    sweep,
    reapExpired: reaper.reap,
    sesEvent: sesEventsHandler,
    sesQuota: emulators.sesQuota,
    emulatorUtilization: emulators.utilization,
    queueFunctionsUtilization: functions.utilization,
    async stop() {
      clearInterval(timer);
      await Promise.all([functions.stop(), simulator.stop(), reaper.stop()]);
      await sweeping;
      const close = (s: Server) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      await Promise.all([close(gateway), close(lms.server), oidc.stop()]);
      sqs.destroy();
      ddb.destroy();
      await emulators.stop();
    },
  };
}
