// The attest stack: deploy-time parameters, and the wiring of functions to the table, queues, API, SES, secrets and schedule.
import {
  CfnCondition,
  CfnOutput,
  CfnParameter,
  Duration,
  Fn,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type TableFunction, tableAccessOf } from '../functions/table-access.ts';
import { CERTIFICATE_FONT_FILE } from '../shared/adapters/certificate-font.ts';
import { checkShardCount, DEFAULT_DUE_SHARDS } from '../shared/adapters/dynamo/shards.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../shared/adapters/metrics.ts';
import { parseLmsMode, secretArnSetting } from '../shared/config.ts';
import { modeChoices } from '../shared/core/destinations/names.ts';
import { destinations } from '../shared/core/destinations/registry.ts';
import { parseCalendarDuration } from '../shared/core/duration.ts';
import { type DeliveryKind, EMAIL_KINDS } from '../shared/core/model.ts';
import { RETENTION_DEFAULTS } from '../shared/core/privacy/retention.ts';
import { DEFAULT_SES_RATE, mailerConcurrency, parseSendRate } from '../shared/core/send-rate.ts';
import { Api } from './api.ts';
import { CONSOLE_GROUPS, ConsoleSignIn } from './console-sign-in.ts';
import { OperationsDashboard } from './dashboard.ts';
import { Data } from './data.ts';
import { Email } from './email.ts';
import { attestFunction } from './functions.ts';
import { alarmOnDeadLetters, WorkQueue } from './queues.ts';
import { Secrets } from './secrets.ts';

export interface AttestStackProps extends StackProps {
  /** Policies assigned when an HR event names none: a comma-separated list of policy ids. */
  defaultPolicies: string;
  /**
   * Where completions go (the functions' LMS_MODE): `webhook`, `xapi` or `webhook,xapi`. Each
   * destination brings its own parameters and secret, so it is chosen at synth (context
   * `attest:lmsMode`).
   */
  lmsMode?: string;
  /**
   * The console's managed login domain prefix (context `attest:consoleDomainPrefix`): unique in the
   * region across AWS. None: `attest-` and part of the stack's id.
   */
  consoleDomainPrefix?: string;
  /**
   * Retention (contexts `attest:retainUnsignedAfterLeaving`, `attest:retainEvidence`,
   * `attest:retainAuditIp`): ISO 8601 durations, each its default (P1Y, P6Y, P1Y) when absent.
   * Chosen at synth because RETAIN_AUDIT_IP also bounds the access logs' retention.
   */
  retention?: Partial<Record<keyof typeof RETENTION_DEFAULTS, string>>;
  /**
   * DUE_SHARDS (context `attest:dueShards`): how many partitions each due index spreads owed work
   * over, 1 to 64; absent, 8. Every function gets the same value.
   */
  dueShards?: number | string;
  /**
   * For a stack deployed before the due indexes were replaced (context `attest:dueIndexUpgrade`):
   * the upgrade's step to deploy, 1 to 7, one index added or dropped each (README); absent, the
   * indexes of this version.
   */
  dueIndexUpgrade?: number | string;
  /**
   * SES_MAX_RATE (context `attest:sesMaxRate`): emails a second at most, below the account's SES
   * quota. It also sizes the mailer's concurrency, so it is chosen at synth; none: the mailer follows
   * the quota alone, sized for a new production account's 14 a second.
   */
  sesMaxRate?: string | number;
}

/** The CDK context each retention setting is chosen with (`-c attest:retainAuditIp=P14D`). */
const RETENTION_CONTEXT = {
  RETAIN_UNSIGNED_AFTER_LEAVING: 'attest:retainUnsignedAfterLeaving',
  RETAIN_EVIDENCE: 'attest:retainEvidence',
  RETAIN_AUDIT_IP: 'attest:retainAuditIp',
} as const satisfies Record<keyof typeof RETENTION_DEFAULTS, string>;

/** The retention settings, defaults filled in, each checked at synth (a bad one names its context). */
function retentionSettings(given: AttestStackProps['retention'] = {}) {
  const read = (name: keyof typeof RETENTION_DEFAULTS) => {
    const text = given[name] ?? RETENTION_DEFAULTS[name];
    try {
      return parseCalendarDuration(text);
    } catch (error) {
      throw new Error(`${RETENTION_CONTEXT[name]} (${name}): ${(error as Error).message}`);
    }
  };
  return {
    RETAIN_UNSIGNED_AFTER_LEAVING: read('RETAIN_UNSIGNED_AFTER_LEAVING'),
    RETAIN_EVIDENCE: read('RETAIN_EVIDENCE'),
    RETAIN_AUDIT_IP: read('RETAIN_AUDIT_IP'),
  };
}

/** DUE_SHARDS as the stack takes it, checked at synth (a bad one names its context). */
function dueShardCount(given: number | string | undefined): number {
  if (given === undefined) return DEFAULT_DUE_SHARDS;
  try {
    return checkShardCount(
      typeof given === 'number' ? given : /^\d+$/.test(given) ? Number(given) : Number.NaN,
    );
  } catch (error) {
    throw new Error(`attest:dueShards: ${(error as Error).message}`);
  }
}

/** The context `attest:sesMaxRate`, checked at synth as the mailer checks SES_MAX_RATE at load. */
function sendRateSetting(given: string | number | undefined): number | undefined {
  if (given === undefined || String(given).trim() === '') return undefined;
  try {
    return parseSendRate(String(given));
  } catch (error) {
    throw new Error(`attest:sesMaxRate (SES_MAX_RATE): ${(error as Error).message}`);
  }
}

/**
 * A mailbox parameter, as the mailer's config reads it: an address, or a display name then
 * <address>. No < or > in the name (quoted or not), so the stack can cut out the bare address with
 * Fn::Split (Email.grantSend); the mailer checks everything else at load.
 */
const mailboxPattern = '^([^<>@\\s]+@[^<>@\\s]+|[^<>]*<[^<>@\\s]+@[^<>@\\s]+>)$';

/** REATTEST_EVERY as the stack takes it: empty, or an ISO 8601 duration of whole years to seconds. */
const REATTEST_PATTERN =
  '^$|^P(?=\\d|T\\d)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$';

/** How long an acknowledgement link stays valid. */
const TOKEN_TTL = Duration.days(30);
/** How often the sweeper re-drives owed work: the schedule and the sweeper's own setting, from one value. */
const SWEEP_INTERVAL = Duration.minutes(5);
/** The queue consumers' timeout: a batch of ten sent in parallel, each send or webhook bounded well below it. */
const CONSUMER_TIMEOUT = Duration.seconds(30);

export class AttestStack extends Stack {
  constructor(scope: Construct, id: string, props: AttestStackProps) {
    super(scope, id, props);

    // Deploy-time inputs: synth needs none of them, and none is secret.
    const mailFrom = new CfnParameter(this, 'MailFrom', {
      description:
        'The SES-verified address emails are sent from, optionally with a display name: "Your Org onboarding" <onboarding@your-org.example>',
      allowedPattern: mailboxPattern,
    }).valueAsString;
    const replyTo = new CfnParameter(this, 'ReplyTo', {
      description:
        'Where replies go (e.g. HR: hr@your-org.example, optionally with a display name); empty: none',
      default: '',
      allowedPattern: `^$|${mailboxPattern}`,
    }).valueAsString;
    const hrNotifyEmail = new CfnParameter(this, 'HrNotifyEmail', {
      description:
        'Where decline notices go besides the manager (HR: hr@your-org.example, optionally with a display name); empty: the manager only',
      default: '',
      allowedPattern: `^$|${mailboxPattern}`,
    }).valueAsString;
    const reattestEvery = new CfnParameter(this, 'ReattestEvery', {
      description:
        'How old an agreement may grow before its signer is asked again (ISO 8601: P1Y, P6M); empty: never. A policy’s front matter reattest: overrides it',
      default: '',
      // The mailer reads it at load and refuses what parseCalendarDuration does not; this catches most.
      allowedPattern: REATTEST_PATTERN,
    }).valueAsString;
    let lmsMode: DeliveryKind[];
    try {
      lmsMode = parseLmsMode(props.lmsMode ?? 'webhook');
    } catch {
      throw new Error(`attest:lmsMode must be ${modeChoices()}, not ${JSON.stringify(props.lmsMode)}`);
    }
    const deployed = lmsMode.map((kind) => destinations[kind]);
    // Each destination deployed brings its parameters, as the environment settings they feed.
    const destinationSettings: Record<string, string> = {};
    for (const { id, setting, ...props } of deployed.flatMap((d) => d.parameters)) {
      destinationSettings[setting] = new CfnParameter(this, id, props).valueAsString;
    }
    const organisationName = new CfnParameter(this, 'OrganisationName', {
      description: 'The organisation’s name, shown in emails and on the signing pages',
      minLength: 1,
    }).valueAsString;
    const publicBaseUrl = new CfnParameter(this, 'PublicBaseUrl', {
      description:
        'Custom https origin (and optional path) for links, no trailing slash; empty: the HTTP API URL',
      default: '',
      allowedPattern: '^(https://[^/\\s]+(/[^\\s]*[^/\\s])?)?$',
    }).valueAsString;

    const retention = retentionSettings(props.retention);
    const sesMaxRate = sendRateSetting(props.sesMaxRate);
    // Enough mailers for the rate (at least the event source's least, two); each sends at its share.
    const mailerInstances = mailerConcurrency(sesMaxRate ?? DEFAULT_SES_RATE);
    const retain = {
      unsignedAfterLeaving: retention.RETAIN_UNSIGNED_AFTER_LEAVING.iso,
      evidence: retention.RETAIN_EVIDENCE.iso,
      auditIp: retention.RETAIN_AUDIT_IP.iso,
    };
    const upgrade = props.dueIndexUpgrade;
    const data = new Data(
      this,
      'Data',
      upgrade === undefined ? undefined : /^\d+$/.test(String(upgrade)) ? Number(upgrade) : Number.NaN,
    );
    const { table } = data;
    const secrets = new Secrets(this, 'Secrets');
    const email = new Email(this, 'Email');
    const alarms = new Topic(this, 'Alarms', { displayName: 'attest alarms', enforceSSL: true });
    const mail = new WorkQueue(this, 'Mail', { consumerTimeout: CONSUMER_TIMEOUT, alarms });
    const lms = new WorkQueue(this, 'Lms', { consumerTimeout: CONSUMER_TIMEOUT, alarms });

    // The environment is the contract with each functions/<name>/config.ts: names only, secrets as ARNs.
    const common = { TABLE_NAME: table.tableName, DUE_SHARDS: String(dueShardCount(props.dueShards)) };
    const LMS_MODE = lmsMode.join(',');
    const deployedSecrets = deployed.flatMap((d) =>
      d.secrets.map(({ name }) => [name, secrets.destinations.get(name) as Secret] as const),
    );
    const ingest = attestFunction(this, 'Ingest', {
      name: 'ingest',
      environment: {
        ...common,
        [secretArnSetting('HR_WEBHOOK_SECRET')]: secrets.hrWebhook.secretArn,
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        DEFAULT_POLICIES: props.defaultPolicies,
        // A leaver's requests owe their expiry from the leaving.
        RETAIN_UNSIGNED_AFTER_LEAVING: retain.unsignedAfterLeaving,
        RETAIN_EVIDENCE: retain.evidence,
      },
    });
    const ack = attestFunction(this, 'Ack', {
      name: 'ack',
      memorySize: 512,
      environment: {
        ...common,
        [secretArnSetting('ACK_TOKEN_KEYS')]: secrets.ackTokenKeys.secretArn,
        LMS_QUEUE_URL: lms.queue.queueUrl,
        LMS_MODE,
        // An expired link's page can ask for a fresh one: that is an invite owed, so a mail message.
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        // An agreement owes the reduction of its IP address and browser.
        RETAIN_AUDIT_IP: retain.auditIp,
        // Named at the top of each page, beside the logo (ORGANISATION_LOGO: bundled at synth, no setting here).
        ORGANISATION_NAME: organisationName,
      },
    });
    const scim = attestFunction(this, 'Scim', {
      name: 'scim',
      environment: {
        ...common,
        [secretArnSetting('SCIM_TOKEN')]: secrets.scimToken.secretArn,
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        DEFAULT_POLICIES: props.defaultPolicies,
        // Resource locations: the custom base when set, else the API's own host (read from each request).
        PUBLIC_BASE_URL: publicBaseUrl,
        // A user made inactive is a leaver, as through the HR webhook.
        RETAIN_UNSIGNED_AFTER_LEAVING: retain.unsignedAfterLeaving,
        RETAIN_EVIDENCE: retain.evidence,
      },
    });
    const api = new Api(this, 'Api', retention.RETAIN_AUDIT_IP);
    const useApiUrl = new CfnCondition(this, 'UseApiUrl', {
      expression: Fn.conditionEquals(publicBaseUrl, ''),
    });
    const baseUrl = Fn.conditionIf(useApiUrl.logicalId, api.endpoint, publicBaseUrl).toString();
    // The pages' own origin, from which alone their forms may be posted (the links' base, as the mailer's).
    ack.addEnvironment('PUBLIC_BASE_URL', baseUrl);

    const mailer = attestFunction(this, 'Mailer', {
      name: 'mailer',
      memorySize: 512,
      // The receipt's certificate font, read from a file beside the bundle (certificate-font.ts).
      packageFiles: [CERTIFICATE_FONT_FILE],
      timeout: CONSUMER_TIMEOUT,
      environment: {
        ...common,
        MAIL_FROM: mailFrom,
        SES_CONFIGURATION_SET: email.configurationSet.configurationSetName,
        [secretArnSetting('ACK_TOKEN_KEYS')]: secrets.ackTokenKeys.secretArn,
        PUBLIC_BASE_URL: baseUrl,
        TOKEN_TTL: TOKEN_TTL.toIsoString(),
        ORGANISATION_NAME: organisationName,
        REPLY_TO: replyTo,
        HR_NOTIFY_EMAIL: hrNotifyEmail,
        // The receipt's step owes the renewal then; the renewal asks again.
        REATTEST_EVERY: reattestEvery,
        // A manager's digest is deleted this long after its day.
        RETAIN_EVIDENCE: retain.evidence,
        // At most this rate, shared among as many mailers as it sizes them for (the event source's
        // maximum concurrency, below, which the sweeper keeps sized for the quota).
        ...(sesMaxRate !== undefined && { SES_MAX_RATE: String(sesMaxRate) }),
        // A send SES throttles goes back on the queue with a delay.
        MAIL_QUEUE_URL: mail.queue.queueUrl,
      },
    });
    const lmsPush = attestFunction(this, 'LmsPush', {
      name: 'lms-push',
      timeout: CONSUMER_TIMEOUT,
      environment: {
        ...common,
        LMS_MODE,
        ...destinationSettings,
        ...Object.fromEntries(
          deployedSecrets.map(([name, secret]) => [secretArnSetting(name), secret.secretArn]),
        ),
        LMS_QUEUE_URL: lms.queue.queueUrl,
      },
    });
    // The console's sign-in is registered with the console's address; the console is configured with the sign-in.
    const signIn = new ConsoleSignIn(this, 'ConsoleSignIn', {
      baseUrl,
      ...(props.consoleDomainPrefix !== undefined && { domainPrefix: props.consoleDomainPrefix }),
    });
    const consoleFn = attestFunction(this, 'Console', {
      name: 'console',
      // The overview aggregates every assignment of a policy on each request; CPU comes with memory.
      memorySize: 1024,
      environment: {
        ...common,
        LMS_MODE,
        // The deployed destinations' settings (no secrets): a subject access export rebuilds the
        // payloads sent to each, as lms-push built them.
        ...destinationSettings,
        // A resend's hint to the mailer (the sweeper re-drives a lost one). Nothing goes to the LMS
        // queue: a replayed delivery is owed again, and the sweeper sends it.
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        // The redirect URIs it sends must equal those registered with the app client: the same value.
        PUBLIC_BASE_URL: baseUrl,
        // The report's "due for renewal" and "lapsed" count from it.
        REATTEST_EVERY: reattestEvery,
        OIDC_ISSUER: signIn.issuer,
        OIDC_CLIENT_ID: signIn.client.userPoolClientId,
        OIDC_GROUPS_CLAIM: 'cognito:groups',
        OIDC_LOGOUT_URL: signIn.logoutUrl,
        CONSOLE_ADMIN_GROUP: CONSOLE_GROUPS.admin.name,
        CONSOLE_AUDITOR_GROUP: CONSOLE_GROUPS.auditor.name,
        [secretArnSetting('CONSOLE_SESSION_KEY')]: secrets.consoleSessionKey.secretArn,
      },
    });
    api.serve({ ingest, ack, scim, console: consoleFn });

    const sweeper = attestFunction(this, 'Sweeper', {
      name: 'sweeper',
      timeout: Duration.minutes(1),
      environment: {
        ...common,
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        LMS_QUEUE_URL: lms.queue.queueUrl,
        SWEEP_INTERVAL: SWEEP_INTERVAL.toIsoString(),
        // The sweeper takes retention's steps, recounting each from these.
        RETAIN_UNSIGNED_AFTER_LEAVING: retain.unsignedAfterLeaving,
        RETAIN_EVIDENCE: retain.evidence,
        RETAIN_AUDIT_IP: retain.auditIp,
        // It sizes the mailers for the quota, capped as theirs is.
        ...(sesMaxRate !== undefined && { SES_MAX_RATE: String(sesMaxRate) }),
      },
    });

    // SES bounces and complaints arrive on the configuration set's topic; what fails after Lambda's
    // retries (and what SNS cannot deliver) is kept in a dead-letter queue with an alarm.
    const sesDeadLetters = new Queue(this, 'SesEventsDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(sesDeadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the ses-events function and its subscription.',
    });
    const sesDeadLettersAlarm = alarmOnDeadLetters(this, 'SesEventsDeadLettersAlarm', sesDeadLetters, alarms);
    const sesEvents = attestFunction(this, 'SesEvents', {
      name: 'ses-events',
      deadLetterQueue: sesDeadLetters,
      environment: { ...common, MAIL_QUEUE_URL: mail.queue.queueUrl },
    });
    sesEvents.addEventSource(new SnsEventSource(email.events, { deadLetterQueue: sesDeadLetters }));

    // Least privilege: the item actions its code sends to the one table (functions/table-access.ts),
    // sends to the queues each function feeds, its own secret. The console reads everything an
    // operator may look at, and writes only its actions on an assignment.
    /** Every function by its folder's name under functions/: for the grants here and the dashboard. */
    const fnsByName = {
      ingest,
      mailer,
      ack,
      'lms-push': lmsPush,
      sweeper,
      'ses-events': sesEvents,
      scim,
      console: consoleFn,
    } satisfies Record<TableFunction, IFunction>;
    for (const [name, fn] of Object.entries(fnsByName) as Array<[TableFunction, IFunction]>)
      data.grantTableAccess(fn, tableAccessOf(name));
    secrets.hrWebhook.grantRead(ingest);
    secrets.scimToken.grantRead(scim);
    secrets.ackTokenKeys.grantRead(mailer);
    secrets.ackTokenKeys.grantRead(ack);
    secrets.consoleSessionKey.grantRead(consoleFn);
    for (const [, secret] of deployedSecrets) secret.grantRead(lmsPush);
    mail.queue.grantSendMessages(ingest);
    mail.queue.grantSendMessages(scim);
    mail.queue.grantSendMessages(ack);
    mail.queue.grantSendMessages(sweeper);
    mail.queue.grantSendMessages(sesEvents);
    mail.queue.grantSendMessages(consoleFn);
    lms.queue.grantSendMessages(ack);
    lms.queue.grantSendMessages(sweeper);
    // A retry due within SQS's 15-minute delay goes back on its own queue, to the second.
    lms.queue.grantSendMessages(lmsPush);
    email.grantSend(mailer, mailFrom);
    // A throttled send waits on the mail queue rather than counting towards its DLQ.
    mail.queue.grantSendMessages(mailer);
    email.grantReadQuota(mailer);

    // The mailers at a time that SES_MAX_RATE (or a new account's 14 a second) needs, each pacing
    // itself to its share of the quota; a send SES throttles all the same waits on the queue. Five
    // lms-push at a time keep an organisation's LMS from being flooded.
    const mailerSource = mail.feed(mailer, { maxConcurrency: mailerInstances });
    // The sweeper keeps that maximum sized for the account's quota as it changes (a raised quota, the
    // sandbox left): it reads the quota and reads and updates this one event source mapping.
    sweeper.addEnvironment('MAILER_EVENT_SOURCE', mailerSource.eventSourceMappingId);
    email.grantReadQuota(sweeper);
    sweeper.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        resources: [mailerSource.eventSourceMappingArn],
      }),
    );
    lms.feed(lmsPush, { maxConcurrency: 5 });
    new Rule(this, 'SweepSchedule', {
      description: 'attest: re-drive owed work from the due index',
      schedule: Schedule.rate(SWEEP_INTERVAL),
      // A missed sweep is made good by the next one: no retries piling up behind a slow sweep.
      targets: [new LambdaFunction(sweeper, { retryAttempts: 0 })],
    });

    // Deliveries the LMS rejected or that ran out of retries, and a destination disabled by 410 Gone,
    // are announced like dead-letter queues: from lms-push's structured logs.
    const lmsAlarms: Record<string, Alarm> = {};
    for (const [id, message, what, title] of [
      [
        'LmsDeadLetters',
        'LMS delivery dead-lettered',
        'LMS deliveries were dead-lettered; see `attest lms dead-letters`',
        'LMS deliveries dead-lettered',
      ],
      [
        'LmsDisabled',
        'LMS destination disabled*',
        'The LMS answered 410 Gone and was disabled; see `attest lms enable`',
        'LMS destination disabled',
      ],
      [
        'LmsUnconfigured',
        'LMS delivery owed to*',
        'Deliveries are owed to a destination LMS_MODE does not include (retried, then dead-lettered); check attest:lmsMode',
        'LMS deliveries owed to no destination',
      ],
    ] as const) {
      const filter = new MetricFilter(this, `${id}Filter`, {
        logGroup: lmsPush.logGroup,
        metricNamespace: METRICS_NAMESPACE,
        metricName: id,
        filterPattern: FilterPattern.stringValue('$.message', '=', message),
        metricValue: '1',
      });
      const alarm = new Alarm(this, `${id}Alarm`, {
        alarmDescription: `attest: ${what}`,
        metric: filter.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(alarms));
      lmsAlarms[title] = alarm;
    }

    /** One of the mailer's counts summed over every kind of email (embedded metric format, a series per kind). */
    const everyKind = (
      metricName: string,
      label: string,
      period: Duration,
      dimensions: Record<string, string> = {},
    ) =>
      new MathExpression({
        expression: EMAIL_KINDS.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(
          EMAIL_KINDS.map((kind, i) => [
            `m${i}`,
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName,
              dimensionsMap: { service: METRICS_SERVICE, kind, ...dimensions },
              statistic: 'Sum',
              period,
            }),
          ]),
        ),
        label,
        period,
      });

    // Failed sends, from the mailer's EmailSendFailed metric. A burst's throttling retries and
    // passes; sends failing 15 minutes on end do not.
    const emailSendFailedAlarm = new Alarm(this, 'EmailSendFailedAlarm', {
      alarmDescription:
        'attest: email sends have failed for 15 minutes on end (SES refusing or not answering); see the mailer’s “email send failed” log lines',
      metric: everyKind('EmailSendFailed', 'Failed email sends', Duration.minutes(5)),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    emailSendFailedAlarm.addAlarmAction(new SnsAction(alarms));

    /** The mailer's sends one of SES's quotas held back, of every kind. */
    const throttledSends = (quota: 'daily' | 'rate', period: Duration) =>
      everyKind(
        'EmailThrottled',
        `Sends held back by SES's ${quota === 'daily' ? 'daily' : 'sending-rate'} quota`,
        period,
        { quota },
      );
    // Throttled sends wait on the queue and are not failures (no dead letters, no EmailSendFailed):
    // these two say when waiting is not enough. The day's quota spent: every email waits for the
    // rolling 24 hours to free some, so invites go out late until the quota is raised.
    const emailDailyQuotaAlarm = new Alarm(this, 'EmailDailyQuotaAlarm', {
      alarmDescription:
        'attest: SES’s daily sending quota is spent — emails wait on the queue until it frees (request a higher quota); see the mailer’s “email send throttled” log lines',
      metric: throttledSends('daily', Duration.minutes(15)),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    emailDailyQuotaAlarm.addAlarmAction(new SnsAction(alarms));
    // A burst above the rate is paced and passes; throttling for 30 minutes on end means the account's
    // rate is shared with another sender or SES_MAX_RATE is set above it.
    const emailRateThrottledAlarm = new Alarm(this, 'EmailRateThrottledAlarm', {
      alarmDescription:
        'attest: SES has throttled sends for 30 minutes on end — another sender shares the account’s rate, or SES_MAX_RATE is above it; emails are late, not lost',
      metric: throttledSends('rate', Duration.minutes(5)),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 6,
      datapointsToAlarm: 6,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    emailRateThrottledAlarm.addAlarmAction(new SnsAction(alarms));

    const { dashboard } = new OperationsDashboard(this, 'Operations', {
      alarms: {
        'Dead letters: mail queue': mail.deadLettersAlarm,
        'Dead letters: LMS queue': lms.deadLettersAlarm,
        'Dead letters: SES events': sesDeadLettersAlarm,
        ...lmsAlarms,
        'Email sends failing': emailSendFailedAlarm,
        "SES's daily quota spent": emailDailyQuotaAlarm,
        'SES throttling for 30 minutes': emailRateThrottledAlarm,
      },
      queues: { mail: mail.queue, lms: lms.queue },
      functions: fnsByName,
      destinations: lmsMode,
    });

    new CfnOutput(this, 'ApiUrl', { description: 'Base of the API and the links in emails', value: baseUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'MailQueueUrl', { value: mail.queue.queueUrl });
    new CfnOutput(this, 'LmsQueueUrl', { value: lms.queue.queueUrl });
    new CfnOutput(this, 'HrWebhookSecretArn', { value: secrets.hrWebhook.secretArn });
    new CfnOutput(this, 'ScimUrl', {
      description: 'The SCIM 2.0 base URL to give Okta or Entra ID',
      value: `${baseUrl}/scim/v2`,
    });
    new CfnOutput(this, 'ScimTokenSecretArn', {
      description: 'The SCIM bearer token (read it with aws secretsmanager get-secret-value)',
      value: secrets.scimToken.secretArn,
    });
    for (const spec of Object.values(destinations).flatMap((d) => d.secrets)) {
      const secret = secrets.destinations.get(spec.name) as Secret;
      new CfnOutput(this, `${spec.id.replace(/Secret$/, '')}SecretArn`, { value: secret.secretArn });
    }
    new CfnOutput(this, 'AckTokenKeysSecretArn', { value: secrets.ackTokenKeys.secretArn });
    new CfnOutput(this, 'ConsoleUrl', {
      description: 'The HR and compliance console',
      value: `${baseUrl}/console/`,
    });
    new CfnOutput(this, 'ConsoleUserPoolId', {
      description: 'The console’s users: add them with aws cognito-idp admin-create-user (README)',
      value: signIn.userPool.userPoolId,
    });
    new CfnOutput(this, 'ConsoleSignInUrl', {
      description: 'The console’s sign-in pages (Cognito managed login)',
      value: signIn.signInUrl,
    });
    new CfnOutput(this, 'ConsoleSessionKeySecretArn', {
      description: 'The console’s session key: a new value signs everyone out',
      value: secrets.consoleSessionKey.secretArn,
    });
    new CfnOutput(this, 'PseudonymKeySecretArn', {
      description: 'Erasure’s key: set PSEUDONYM_KEY_SECRET_ARN to it for attest privacy (README)',
      value: secrets.pseudonymKey.secretArn,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The operations dashboard: alarms, what the functions count, the queues and errors',
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'Subscribe to hear of dead letters',
      value: alarms.topicArn,
    });
  }
}
