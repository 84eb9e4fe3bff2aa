// The synthesised CloudFormation template: what a deploy would create, checked without AWS.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_AGGREGATES, type TableFunction, tableAccessOf } from '../../functions/table-access.ts';
import { AttestStack } from '../../infra/attest-stack.ts';
import { DUE_INDEX_UPGRADE_STEPS, indexesAt } from '../../infra/data.ts';
import { key } from '../../shared/adapters/dynamo/table.ts';
import { AGGREGATE_USES } from '../../shared/adapters/dynamo/table-access.ts';
import { EXTENSION_KEEP_MS } from '../../shared/adapters/secrets.ts';
import { secretArnSetting } from '../../shared/config.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

type Widget = {
  type: string;
  properties: { metrics?: unknown[][]; alarms?: string[]; annotations?: { alarms?: string[] } };
};
/** A series of a dashboard graph: its namespace, metric name and dimensions. */
type Series = { namespace: string; name: string; dimensions: Record<string, string> };

/** The widgets of the stack's one dashboard, each reference in its body written as the logical id it names. */
function dashboardWidgets(template: Template): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  expect(dashboards).toHaveLength(1);
  const body = (dashboards[0] as Resource).Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      return ref.Ref ?? ref['Fn::GetAtt']?.[0];
    })
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

/** Every series the dashboard graphs. */
function seriesOf(widgets: Widget[]): Series[] {
  return widgets
    .flatMap((w) => w.properties.metrics ?? [])
    .map((metric) => {
      const [namespace, name, ...rest] = metric.filter((m) => typeof m === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
      return { namespace: namespace as string, name: name as string, dimensions };
    });
}

/** The functions by their construct ids in the stack. */
const FUNCTIONS = ['Ingest', 'Mailer', 'Ack', 'LmsPush', 'Sweeper', 'SesEvents', 'Scim', 'Console'] as const;
type FunctionId = (typeof FUNCTIONS)[number];
/** Those that read a secret (the default LMS_MODE, webhook, has one: LMS_WEBHOOK_SECRET). */
const READ_SECRETS: readonly FunctionId[] = ['Ingest', 'Mailer', 'Ack', 'LmsPush', 'Scim', 'Console'];
/** What a function reading secrets is given with the extension's layer: where from, and the extension's own settings. */
const EXTENSION_SETTINGS = [
  'SECRETS_FROM',
  'PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED',
  'PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE',
  'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  'PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL',
  'PARAMETERS_SECRETS_EXTENSION_MAX_CONNECTIONS',
  'SECRETS_MANAGER_TIMEOUT_MILLIS',
  'SECRETS_MANAGER_TTL',
  'SSM_PARAMETER_STORE_TIMEOUT_MILLIS',
  'SSM_PARAMETER_STORE_TTL',
];

describe('AttestStack', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  let synthError: unknown;
  let report: {
    pluginReports: {
      pluginName: string;
      violations: { ruleName: string }[];
      suppressedViolations: { ruleName: string; reason: string }[];
    }[];
  };

  const logicalId = (id: string, type: string) => {
    const found = Object.keys(resources).filter(
      (key) => resources[key]?.Type === type && new RegExp(`^${id}[0-9A-F]{8}$`).test(key),
    );
    if (found.length !== 1) throw new Error(`expected one ${type} ${id}, found ${found.join(', ')}`);
    return found[0] as string;
  };
  const fn = (id: FunctionId) => resources[logicalId(id, 'AWS::Lambda::Function')] as Resource;
  const envOf = (id: FunctionId) =>
    (fn(id).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  /** The statements of the policy attached to the function's role. */
  const statementsOf = (id: FunctionId): Statement[] => {
    const role = (fn(id).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const actions = (s: Statement) => [s.Action].flat();
  /** The logical ids a statement's resources refer to, by Ref or Fn::GetAtt. */
  const referenced = (s: Statement) =>
    [...JSON.stringify(s.Resource).matchAll(/"(?:Ref|Fn::GetAtt)":\[?"([A-Za-z0-9]+)"/g)].map((m) => m[1]);

  /** Evaluates the intrinsic functions of a deploy-time value, as CloudFormation would with `parameters`. */
  const evaluate = (value: unknown, parameters: Record<string, string>): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => evaluate(v, parameters));
    const [[fn, args]] = Object.entries(value as Record<string, unknown>) as [[string, unknown]];
    if (fn === 'Ref') return parameters[args as string];
    const [a, b] = evaluate(args, parameters) as [unknown, unknown];
    if (fn === 'Fn::Join') return (b as string[]).join(a as string);
    if (fn === 'Fn::Split') return (b as string).split(a as string);
    if (fn === 'Fn::Select') return (b as unknown[])[Number(a)];
    throw new Error(`no evaluation for ${fn}`);
  };

  beforeAll(() => {
    // Prepare: the app's context (feature flags) from cdk.json, bundling skipped so the test
    // does not depend on the handlers' code (`cdk synth` bundles for real), cdk-nag on as in app.ts
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new AttestStack(app, 'Attest', { defaultPolicies: 'safe-internet-use,data-protection' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // Act: synthesis runs the cdk-nag rules, and throws on any finding not acknowledged
    try {
      const assembly = app.synth();
      report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    } catch (error) {
      synthError = error;
      return;
    }
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  it('leaves no cdk-nag finding unacknowledged, and gives every acknowledgement a reason', () => {
    // Assess
    expect(synthError).toBeUndefined();
    const nag = report.pluginReports.find((p) => p.pluginName === 'AwsSolutions');
    expect(nag?.violations).toEqual([]);
    for (const s of nag?.suppressedViolations ?? []) expect(s.reason.length).toBeGreaterThan(20);
    // The console's user pool meets the Cognito rules (MFA, password policy, the Plus plan) outright.
    expect(nag?.suppressedViolations.filter((s) => s.ruleName.includes('COG'))).toEqual([]);
  });

  it('keeps one table keyed by pk and sk with the sparse lane and signers indexes, TTL and point-in-time recovery', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'due-v2',
            KeySchema: [
              { AttributeName: 'dueShard', KeyType: 'HASH' },
              { AttributeName: 'dueAt', KeyType: 'RANGE' },
            ],
            // Keys, the due time and what the sweeper and the dead letters' listing read: nothing else.
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['assignmentId', 'dueKind'] },
          },
          {
            IndexName: 'lms-due-v2',
            KeySchema: [
              { AttributeName: 'lmsShard', KeyType: 'HASH' },
              { AttributeName: 'lmsDueAt', KeyType: 'RANGE' },
            ],
            // Keys, the due time and what the sweeper and the dead letters' listing read: nothing else.
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['assignmentId'] },
          },
          {
            IndexName: 'xapi-due-v2',
            KeySchema: [
              { AttributeName: 'xapiShard', KeyType: 'HASH' },
              { AttributeName: 'xapiDueAt', KeyType: 'RANGE' },
            ],
            // Keys, the due time and what the sweeper and the dead letters' listing read: nothing else.
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['assignmentId'] },
          },
          {
            IndexName: 'moodle-due-v2',
            KeySchema: [
              { AttributeName: 'moodleShard', KeyType: 'HASH' },
              { AttributeName: 'moodleDueAt', KeyType: 'RANGE' },
            ],
            // Keys, the due time and what the sweeper and the dead letters' listing read: nothing else.
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['assignmentId'] },
          },
          {
            IndexName: 'signed',
            KeySchema: [
              { AttributeName: 'signedPolicy', KeyType: 'HASH' },
              { AttributeName: 'signedVersion', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['assignmentId', 'starterId'] },
          },
          {
            IndexName: 'policy',
            KeySchema: [
              { AttributeName: 'policyId', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: {
              ProjectionType: 'INCLUDE',
              NonKeyAttributes: ['assignmentId', 'starterId', 'policyVersion', 'status'],
            },
          },
          {
            IndexName: 'retain',
            KeySchema: [
              { AttributeName: 'retainShard', KeyType: 'HASH' },
              { AttributeName: 'retainAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['assignmentId', 'retainStep'] },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it('gives each work queue (and ses-events) an encrypted dead-letter queue, with an alarm that notifies', () => {
    // Assess
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as Resource[];
    const work = queues.filter((q) => q.Properties.RedrivePolicy);
    const deadLetters = queues.filter((q) => !q.Properties.RedrivePolicy);
    expect(work).toHaveLength(2);
    expect(deadLetters).toHaveLength(3);
    for (const q of work) expect(q.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    for (const q of deadLetters) expect(q.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const q of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      5,
    );
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      },
      3,
    );
  });

  it('lets each work queue’s dead-letter queue take dead letters from that queue alone', () => {
    // Prepare: the ARN each deploy-time value resolves to, as CloudFormation would resolve it
    const pseudo = {
      'AWS::Partition': 'aws',
      'AWS::Region': 'eu-west-2',
      'AWS::AccountId': '123456789012',
      'AWS::StackName': 'Attest',
    };
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    const arnOf = (id: string) =>
      `arn:aws:sqs:eu-west-2:123456789012:${evaluate(queues[id]?.Properties.QueueName, pseudo)}`;
    const work = Object.entries(queues).filter(([, q]) => q.Properties.RedrivePolicy);

    // Assess: the DLQ names its source by an ARN built from the source's name, not a reference to
    // it (the source already refers to the DLQ: a reference back would be a cycle)
    expect(work).toHaveLength(2);
    for (const [id, q] of work) {
      const target = (q.Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } })
        .deadLetterTargetArn['Fn::GetAtt'][0] as string;
      const allow = queues[target]?.Properties.RedriveAllowPolicy as {
        redrivePermission: string;
        sourceQueueArns: unknown[];
      };
      expect(allow?.redrivePermission).toBe('byQueue');
      expect(allow.sourceQueueArns.map((arn) => evaluate(arn, pseudo))).toEqual([arnOf(id)]);
      expect(arnOf(id)).toMatch(/^arn:aws:sqs:eu-west-2:123456789012:Attest-(mail|lms)$/);
    }
  });

  it('keeps a queued message invisible for at least six times its consumer’s timeout', () => {
    // Assess
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Resource[];
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      const consumer = resources[(m.Properties.FunctionName as { Ref: string }).Ref] as Resource;
      const queue =
        resources[(m.Properties.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string];
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * (consumer.Properties.Timeout as number),
      );
    }
  });

  it('runs eight functions on Node.js 22 arm64, traced only when asked, logging to a group kept for a month', () => {
    // Prepare: the console aggregates a policy's every assignment per request, so it gets more CPU
    const memory = (id: FunctionId) => ({ Mailer: 512, Ack: 512, Console: 1024 })[id as string] ?? 256;

    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 8);
    for (const id of FUNCTIONS) {
      const { Properties: p } = fn(id);
      expect(p).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        // X-Ray records a trace only for a request an upstream service sampled (attest:tracing)
        TracingConfig: { Mode: 'PassThrough' },
        MemorySize: memory(id),
      });
      const logGroup = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(resources[logGroup]?.Properties.RetentionInDays).toBe(30);
    }
  });

  it('keeps every log group for a month, none for ever (PRIVACY.md states it): the functions’ and the API’s access logs', () => {
    // Assess
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[];
    expect(groups).toHaveLength(FUNCTIONS.length + 1);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it.each([
    ['P1Y', 30],
    ['P2M', 30],
    ['P30D', 30],
    ['P29D', 14],
    ['P7D', 7],
    ['P6D', 5],
    ['PT20S', 1],
  ])('keeps the access logs’ IP addresses no longer than RETAIN_AUDIT_IP=%s: %i days', (auditIp, days) => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AttestStack(app, 'Attest', {
      defaultPolicies: 'safe-internet-use',
      retention: { RETAIN_AUDIT_IP: auditIp },
    });

    // Act
    const groups = Template.fromStack(stack).findResources('AWS::Logs::LogGroup') as Record<string, Resource>;

    // Assess
    const access = Object.entries(groups).filter(([id]) => id.startsWith('ApiAccessLogs'));
    expect(access).toHaveLength(1);
    expect(access[0]?.[1].Properties.RetentionInDays).toBe(days);
  });

  it('traces every function actively when attest:tracing says active, and refuses another word', () => {
    // Prepare
    const stackWith = (tracing: string) =>
      new AttestStack(
        new App({ context: { 'aws:cdk:bundling-stacks': [], 'attest:tracing': tracing } }),
        'Attest',
        { defaultPolicies: 'safe-internet-use' },
      );

    // Act
    const functions = Object.values(
      Template.fromStack(stackWith('active')).findResources('AWS::Lambda::Function'),
    ) as Resource[];

    // Assess
    expect(functions).toHaveLength(8);
    for (const f of functions) expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(() => stackWith('sampled')).toThrow(
      /attest:tracing: expected pass-through or active, not "sampled"/,
    );
  });

  it('refuses a retention setting that is no duration, naming its context', () => {
    // Act and assess
    expect(
      () =>
        new AttestStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Attest', {
          defaultPolicies: 'safe-internet-use',
          retention: { RETAIN_EVIDENCE: 'six years' },
        }),
    ).toThrow(/^attest:retainEvidence \(RETAIN_EVIDENCE\): "six years" is not an ISO 8601 duration/);
  });

  it('refuses a DUE_SHARDS outside 1 to 64 at synth, naming its context', () => {
    // Assess
    for (const dueShards of ['0', '65', 'eight']) {
      expect(
        () =>
          new AttestStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Attest', {
            defaultPolicies: 'safe-internet-use',
            dueShards,
          }),
      ).toThrow(/^attest:dueShards: DUE_SHARDS must be a whole number from 1 to 64/);
    }
  });

  it('gives every function the one DUE_SHARDS, 8 unless the context says otherwise', () => {
    // Assess
    for (const id of FUNCTIONS) expect(envOf(id).DUE_SHARDS).toBe('8');
  });

  it('gives each function exactly the settings its config.ts reads', () => {
    // Prepare
    // No NODE_OPTIONS: source maps are read when an error is logged, not by Node at every start
    const common = ['TABLE_NAME', 'DUE_SHARDS', 'POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL'];
    const expected: Record<FunctionId, string[]> = {
      Ingest: [
        'HR_WEBHOOK_SECRET_ARN',
        'MAIL_QUEUE_URL',
        'DEFAULT_POLICIES',
        'RETAIN_UNSIGNED_AFTER_LEAVING',
        'RETAIN_EVIDENCE',
      ],
      Mailer: [
        'MAIL_FROM',
        'SES_CONFIGURATION_SET',
        'ACK_TOKEN_KEYS_SECRET_ARN',
        'PUBLIC_BASE_URL',
        'TOKEN_TTL',
        'ORGANISATION_NAME',
        'REPLY_TO',
        'HR_NOTIFY_EMAIL',
        'REATTEST_EVERY',
        'RETAIN_EVIDENCE',
        'MAIL_QUEUE_URL',
      ],
      Ack: [
        'ACK_TOKEN_KEYS_SECRET_ARN',
        'LMS_QUEUE_URL',
        'MAIL_QUEUE_URL',
        'LMS_MODE',
        'RETAIN_AUDIT_IP',
        'ORGANISATION_NAME',
        'PUBLIC_BASE_URL',
      ],
      LmsPush: ['LMS_WEBHOOK_URL', 'LMS_WEBHOOK_SECRET_ARN', 'LMS_QUEUE_URL', 'LMS_MODE'],
      Sweeper: [
        'MAIL_QUEUE_URL',
        'LMS_QUEUE_URL',
        'SWEEP_INTERVAL',
        'RETAIN_UNSIGNED_AFTER_LEAVING',
        'RETAIN_EVIDENCE',
        'RETAIN_AUDIT_IP',
        'MAILER_EVENT_SOURCE',
      ],
      SesEvents: ['MAIL_QUEUE_URL'],
      Scim: [
        'SCIM_TOKEN_SECRET_ARN',
        'MAIL_QUEUE_URL',
        'DEFAULT_POLICIES',
        'PUBLIC_BASE_URL',
        'RETAIN_UNSIGNED_AFTER_LEAVING',
        'RETAIN_EVIDENCE',
      ],
      // Its durations (REDRIVE_AFTER, FRESH_LINK_INTERVAL, idle and lifetime) and DEFAULT_TIME_ZONE
      // keep the defaults the other functions share, as ack's and scim's do.
      Console: [
        'LMS_MODE',
        'LMS_WEBHOOK_URL', // a subject access export rebuilds the payloads sent
        'MAIL_QUEUE_URL',
        'PUBLIC_BASE_URL',
        'REATTEST_EVERY',
        'OIDC_ISSUER',
        'OIDC_CLIENT_ID',
        'OIDC_GROUPS_CLAIM',
        'OIDC_LOGOUT_URL',
        'CONSOLE_ADMIN_GROUP',
        'CONSOLE_AUDITOR_GROUP',
        'CONSOLE_SESSION_KEY_SECRET_ARN',
      ],
    };

    // Assess
    for (const id of FUNCTIONS) {
      const extension = READ_SECRETS.includes(id) ? EXTENSION_SETTINGS : [];
      expect(Object.keys(envOf(id)).sort(), id).toEqual([...common, ...extension, ...expected[id]].sort());
      expect(envOf(id)).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'attest', LOG_LEVEL: 'INFO' });
    }
    expect(envOf('Ingest').DEFAULT_POLICIES).toBe('safe-internet-use,data-protection');
    expect(envOf('Mailer')).toMatchObject({
      TOKEN_TTL: 'P30D',
      MAIL_FROM: { Ref: 'MailFrom' },
      REPLY_TO: { Ref: 'ReplyTo' },
      HR_NOTIFY_EMAIL: { Ref: 'HrNotifyEmail' },
      REATTEST_EVERY: { Ref: 'ReattestEvery' },
    });
    // Each mailer divides the rate by as many as it sizes them for: none is told a number.
    expect(envOf('Mailer').MAILER_CONCURRENCY).toBeUndefined();
    // The sweeper keeps the mail queue's event source sized for the quota: it is told which.
    expect(envOf('Sweeper').MAILER_EVENT_SOURCE).toEqual({
      Ref: expect.stringMatching(/^MailerSqsEventSourceAttestMailQueue[0-9A-F]{16}$/),
    });
    expect(envOf('Console').REATTEST_EVERY).toEqual({ Ref: 'ReattestEvery' });
    expect(envOf('Sweeper').SWEEP_INTERVAL).toBe('PT5M');
    expect(envOf('Sweeper')).toMatchObject({
      RETAIN_UNSIGNED_AFTER_LEAVING: 'P1Y',
      RETAIN_EVIDENCE: 'P6Y',
      RETAIN_AUDIT_IP: 'P1Y',
    });
    expect(envOf('Ack').RETAIN_AUDIT_IP).toBe('P1Y');
    expect(envOf('LmsPush').LMS_WEBHOOK_URL).toEqual({ Ref: 'LmsWebhookUrl' });
    expect(envOf('LmsPush').LMS_MODE).toBe('webhook');
    expect(envOf('Ack').LMS_MODE).toBe('webhook');
    expect(envOf('Console').LMS_MODE).toBe('webhook');
  });

  it('reads secrets through the Parameters and Secrets extension, cached five minutes, where a function reads one', () => {
    // Prepare
    const mapping = (template.toJSON().Mappings ?? {}) as Record<
      string,
      Record<string, Record<string, string>>
    >;

    // Assess
    for (const id of FUNCTIONS) {
      if (!READ_SECRETS.includes(id)) {
        expect(fn(id).Properties.Layers, id).toBeUndefined();
        expect(envOf(id).SECRETS_FROM, id).toBeUndefined();
        continue;
      }
      // The layer's ARN by region from CDK's table, a mapping in the template: synth asks AWS nothing.
      const [layer] = fn(id).Properties.Layers as [{ 'Fn::FindInMap': [string, unknown, string] }];
      const [map, , key] = layer['Fn::FindInMap'];
      expect(key, id).toBe('1x0x103xarm64');
      expect(mapping[map]?.['eu-west-2']?.[key]).toMatch(
        /^arn:aws:lambda:eu-west-2:\d{12}:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/,
      );
      // A key rotated with `attest keys` reaches every function within five minutes, as before:
      // the extension keeps it four, the function one more (EXTENSION_KEEP_MS).
      expect(Number(envOf(id).SECRETS_MANAGER_TTL) + EXTENSION_KEEP_MS / 1000, id).toBeLessThanOrEqual(300);
      expect(envOf(id), id).toMatchObject({
        SECRETS_FROM: 'lambda-extension',
        SECRETS_MANAGER_TTL: '240',
        PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '2773',
        PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
      });
    }
  });

  it('passes secrets only as the ARNs of the stack’s own secrets', () => {
    // Prepare
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));

    // Assess
    // The HR webhook's, the link keys, the SCIM token, the console's session key, erasure's
    // pseudonym key, the LMS webhook's, the LRS password and the Moodle token (each destination's
    // secret exists whichever is deployed, so changing LMS_MODE never deletes one the LMS holds).
    expect(secrets).toHaveLength(8);
    for (const id of FUNCTIONS) {
      for (const [name, value] of Object.entries(envOf(id))) {
        if (/SECRET|KEY/.test(name) && !EXTENSION_SETTINGS.includes(name)) {
          expect(name).toMatch(/_SECRET_ARN$/);
          expect(secrets).toContain((value as { Ref: string }).Ref);
        }
      }
    }
    // A dynamic reference or a literal SecretString would put a secret's value in the template.
    const text = JSON.stringify(template.toJSON());
    expect(text.includes('resolve:secretsmanager')).toBe(false);
    expect(text.includes('"SecretString"')).toBe(false);
  });

  it('names each secret’s ARN setting as the functions resolve it', () => {
    // Prepare: the secrets the functions' config.ts files read, by setting name.
    const read = [
      'HR_WEBHOOK_SECRET',
      'ACK_TOKEN_KEYS',
      'LMS_WEBHOOK_SECRET',
      'LRS_PASSWORD',
      'SCIM_TOKEN',
      'CONSOLE_SESSION_KEY',
    ];
    const resolved = new Set(read.map(secretArnSetting));

    // Assess
    for (const id of FUNCTIONS) {
      for (const name of Object.keys(envOf(id)).filter((n) => n.endsWith('_ARN'))) {
        expect(resolved, `${id} ${name}`).toContain(name);
      }
    }
  });

  it('lets each function read only its own secret', () => {
    // Prepare
    const secret = (id: string) => logicalId(`Secrets${id}`, 'AWS::SecretsManager::Secret');
    const expected: Record<FunctionId, string[]> = {
      Ingest: [secret('HrWebhookSecret')],
      Mailer: [secret('AckTokenKeys')],
      Ack: [secret('AckTokenKeys')],
      LmsPush: [secret('LmsWebhookSecret')],
      Sweeper: [],
      SesEvents: [],
      Scim: [secret('ScimToken')],
      Console: [secret('ConsoleSessionKey')],
    };

    // Assess
    for (const id of FUNCTIONS) {
      const read = statementsOf(id)
        .filter((s) => actions(s).includes('secretsmanager:GetSecretValue'))
        .flatMap(referenced);
      expect(read, id).toEqual(expected[id]);
    }
  });

  it('lets each function send only to the queues it feeds, with no wildcard action anywhere', () => {
    // Prepare
    const mail = logicalId('MailQueue', 'AWS::SQS::Queue');
    const lms = logicalId('LmsQueue', 'AWS::SQS::Queue');
    const expected: Record<FunctionId, string[]> = {
      Ingest: [mail],
      // A send SES throttles waits on its queue.
      Mailer: [mail],
      Ack: [lms, mail],
      LmsPush: [lms],
      Sweeper: [lms, mail],
      // Its own dead letters: an event Lambda could not handle after its retries.
      SesEvents: [mail, logicalId('SesEventsDeadLetters', 'AWS::SQS::Queue')].sort(),
      Scim: [mail],
      // A resend's hint to the mailer; a replayed delivery waits for the sweeper, so no LMS queue.
      Console: [mail],
    };

    // Assess
    for (const id of FUNCTIONS) {
      const sends = statementsOf(id)
        .filter((s) => actions(s).includes('sqs:SendMessage'))
        .flatMap(referenced);
      expect(sends.sort(), id).toEqual(expected[id]);
      for (const s of statementsOf(id)) for (const a of actions(s)) expect(a).not.toMatch(/\*/);
    }
  });

  it('grants each function exactly the item actions its code sends to the table, Query on the indexes only where it queries one', () => {
    // Prepare: what each function may do, written out (README, *What each function may do to the
    // table*); a change of an aggregate's methods that widens a grant fails here until this says so
    const table = { 'Fn::GetAtt': [logicalId('DataTable', 'AWS::DynamoDB::GlobalTable'), 'Arn'] };
    const indexes = { 'Fn::Join': ['', [table, '/index/*']] };
    const [get, batchGet, query, put, update, del, batchWrite] = [
      'GetItem',
      'BatchGetItem',
      'Query',
      'PutItem',
      'UpdateItem',
      'DeleteItem',
      'BatchWriteItem',
    ].map((a) => `dynamodb:${a}`) as string[] as [string, string, string, string, string, string, string];
    const expected: Record<FunctionId, { anywhere: string[]; index: boolean; inAssignment?: string[] }> = {
      Ingest: { anywhere: [get, batchGet, query, put, update, batchWrite], index: true },
      Mailer: { anywhere: [get, batchGet, query, put, update, batchWrite], index: true },
      Ack: { anywhere: [get, batchGet, query, put, update, batchWrite], index: false },
      LmsPush: { anywhere: [get, batchGet, query, put, update, batchWrite], index: true },
      // No audit batch: it composes no audit trail. (PutItem: its starters and assignments
      // aggregates can put; a grant is per aggregate, not per use case.)
      Sweeper: { anywhere: [get, batchGet, query, put, update], index: true },
      SesEvents: { anywhere: [get, batchGet, query, put, update, batchWrite], index: false },
      // SCIM's lookup entries are deleted when a user's values change or the user is deleted.
      Scim: { anywhere: [get, batchGet, query, put, update, del, batchWrite], index: true },
      Console: { anywhere: [get, batchGet, query], index: true, inAssignment: [put, update] },
    };
    const names: Record<FunctionId, TableFunction> = {
      Ingest: 'ingest',
      Mailer: 'mailer',
      Ack: 'ack',
      LmsPush: 'lms-push',
      Sweeper: 'sweeper',
      SesEvents: 'ses-events',
      Scim: 'scim',
      Console: 'console',
    };

    for (const id of FUNCTIONS) {
      // Act
      const statements = statementsOf(id).filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
      const onTable = statements.filter(
        (s) => !s.Condition && JSON.stringify(s.Resource) === JSON.stringify(table),
      );
      const onIndexes = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(indexes));
      const conditioned = statements.filter((s) => s.Condition);

      // Assess: no other statement, no wildcard, no table management, nothing beyond what is listed
      expect(onTable.length + onIndexes.length + conditioned.length, id).toBe(statements.length);
      expect(onTable.flatMap(actions).sort(), id).toEqual([...expected[id].anywhere].sort());
      expect(onIndexes.flatMap(actions), id).toEqual(expected[id].index ? [query] : []);
      const want = expected[id].inAssignment;
      expect(conditioned.flatMap(actions).sort(), id).toEqual(want ? [...want].sort() : []);
      for (const s of conditioned) {
        expect(s.Resource, id).toEqual(table);
        expect(s.Condition, id).toEqual({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ASSIGN#*'] },
        });
      }
      // Assess: the grant is the one derived from the function's aggregates
      const access = tableAccessOf(names[id]);
      expect(access.actions.sort(), id).toEqual([...expected[id].anywhere].sort());
      expect(access.queriesIndex, id).toBe(expected[id].index);
    }
    expect(key.assignment('a-1').pk).toBe('ASSIGN#a-1');
  });

  it('lets no function delete an item or write a batch unless an aggregate its store composes does, and the console neither', () => {
    for (const name of Object.keys(FUNCTION_AGGREGATES) as TableFunction[]) {
      // Prepare
      const methods = new Set(FUNCTION_AGGREGATES[name].flatMap((a) => AGGREGATE_USES[a]));
      const access = tableAccessOf(name);

      // Act
      const granted = [...access.actions, ...(access.partitionWrites?.actions ?? [])];

      // Assess: the console's aggregates could delete (SCIM's users) and batch (the audit trail); its actions never do
      const deletes = name !== 'console' && methods.has('delete');
      const batches = name !== 'console' && methods.has('batchPut');
      expect(granted.includes('dynamodb:DeleteItem'), name).toBe(deletes);
      expect(granted.includes('dynamodb:BatchWriteItem'), name).toBe(batches);
    }
  });

  it('configures the console with its Cognito issuer, app client, groups and sign-out, and links as the mailer does', () => {
    // Prepare
    const env = envOf('Console');
    const domain = logicalId('ConsoleSignInUsersDomain', 'AWS::Cognito::UserPoolDomain');
    const at = {
      'AWS::Region': 'eu-west-2',
      [logicalId('ConsoleSignInUsers', 'AWS::Cognito::UserPool')]: 'eu-west-2_AbCdEf123',
      [domain]: 'attest-hr',
    };

    // Assess
    expect(evaluate(env.OIDC_ISSUER, at)).toBe(
      'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123',
    );
    expect(env.OIDC_CLIENT_ID).toEqual({
      Ref: logicalId('ConsoleSignInUsersConsole', 'AWS::Cognito::UserPoolClient'),
    });
    // Cognito's discovery names no end_session_endpoint: its logout endpoint, on the managed login domain.
    expect(evaluate(env.OIDC_LOGOUT_URL, at)).toBe(
      'https://attest-hr.auth.eu-west-2.amazoncognito.com/logout',
    );
    expect(env).toMatchObject({
      OIDC_GROUPS_CLAIM: 'cognito:groups',
      CONSOLE_ADMIN_GROUP: 'attest-admins',
      CONSOLE_AUDITOR_GROUP: 'attest-auditors',
    });
    // The redirect URIs it sends must be those the client registers: the same base as the links'.
    expect(env.PUBLIC_BASE_URL).toEqual(envOf('Mailer').PUBLIC_BASE_URL);
  });

  it('keeps console users in a retained pool nobody signs up to, with TOTP required, a strong password and threat protection', () => {
    // Assess
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        Policies: {
          PasswordPolicy: {
            MinimumLength: 14,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            TemporaryPasswordValidityDays: 3,
          },
        },
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        DeletionProtection: 'ACTIVE',
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      UserPoolId: { Ref: logicalId('ConsoleSignInUsers', 'AWS::Cognito::UserPool') },
      ClientId: 'ALL',
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
    });
    // No SMS: no role for Cognito to send texts with.
    const pool = Object.values(template.findResources('AWS::Cognito::UserPool'))[0] as Resource;
    expect(pool.Properties.SmsConfiguration).toBeUndefined();
    // The invitation says where to sign in, and carries the placeholders Cognito requires.
    const invite = JSON.stringify(
      (pool.Properties.AdminCreateUserConfig as { InviteMessageTemplate: unknown }).InviteMessageTemplate,
    );
    for (const part of ['{username}', '{####}', '/console/']) expect(invite).toContain(part);
  });

  it('defines the admin and auditor groups the console’s roles come from', () => {
    // Prepare
    const pool = logicalId('ConsoleSignInUsers', 'AWS::Cognito::UserPool');
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')) as Resource[];

    // Assess
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual(['attest-admins', 'attest-auditors']);
    for (const g of groups) {
      expect(g.Properties.UserPoolId).toEqual({ Ref: pool });
      expect(String(g.Properties.Description).length).toBeGreaterThan(20);
    }
  });

  it('gives the console a public app client: the code flow with PKCE alone, its callback and sign-out URLs, short-lived tokens', () => {
    // Prepare
    const baseUrl = envOf('Console').PUBLIC_BASE_URL;
    const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient')) as Resource[];

    // Assess
    expect(clients).toHaveLength(1);
    const { Properties: client } = clients[0] as Resource;
    expect(client).toMatchObject({
      UserPoolId: { Ref: logicalId('ConsoleSignInUsers', 'AWS::Cognito::UserPool') },
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      CallbackURLs: [{ 'Fn::Join': ['', [baseUrl, '/console/auth/callback']] }],
      LogoutURLs: [{ 'Fn::Join': ['', [baseUrl, '/console/signed-out']] }],
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      RefreshTokenValidity: 8 * 60,
    });
    for (const validity of [client.IdTokenValidity, client.AccessTokenValidity]) {
      expect(validity).toBeGreaterThanOrEqual(15);
      expect(validity).toBeLessThanOrEqual(60);
    }
  });

  it('serves Cognito’s newer managed login, in its own style, on a prefix domain unique to the stack', () => {
    // Prepare
    const pool = logicalId('ConsoleSignInUsers', 'AWS::Cognito::UserPool');
    const domain = template.findResources('AWS::Cognito::UserPoolDomain');
    const [{ Properties: props }] = Object.values(domain) as [Resource];
    const stackId =
      'arn:aws:cloudformation:eu-west-2:123456789012:stack/Attest/1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';

    // Assess
    expect(props).toMatchObject({ UserPoolId: { Ref: pool }, ManagedLoginVersion: 2 });
    expect(evaluate(props.Domain, { 'AWS::StackId': stackId })).toBe('attest-0e1f2a3b4c5d');
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      UserPoolId: { Ref: pool },
      ClientId: { Ref: logicalId('ConsoleSignInUsersConsole', 'AWS::Cognito::UserPoolClient') },
      UseCognitoProvidedValues: true,
    });
  });

  it('lets only the mailer send email, from the MailFrom address through the attest configuration set', () => {
    // Prepare
    const sendsEmail = (id: FunctionId) =>
      statementsOf(id).filter((s) => actions(s).some((a) => a.startsWith('ses:')));

    // Assess: the sweeper reads the quota too (it sizes the mailers by it), and sends nothing
    for (const id of FUNCTIONS.filter((f) => f !== 'Mailer' && f !== 'Sweeper')) {
      expect(sendsEmail(id), id).toEqual([]);
    }
    expect(sendsEmail('Sweeper').flatMap((s) => actions(s).filter((a) => a.startsWith('ses:')))).toEqual([
      'ses:GetAccount',
    ]);
    const statements = sendsEmail('Mailer');
    const statement = statements.find((s) => s.Action === 'ses:SendEmail');
    const [quota, ...others] = statements.filter((s) => s !== statement);
    expect(others).toEqual([]);
    // The send quota it paces itself by: GetAccount has no resource-level permissions.
    // (CDK merges it with X-Ray's statement, also on '*')
    expect(actions(quota as Statement).filter((a) => a.startsWith('ses:'))).toEqual(['ses:GetAccount']);
    expect(quota?.Resource).toBe('*');
    expect(quota?.Condition).toBeUndefined();
    expect(statement?.Action).toBe('ses:SendEmail');
    // SES authorises the bare address (ses:FromAddress); the display name is ses:FromDisplayName.
    const condition = statement?.Condition as { StringEquals: Record<string, unknown> } | undefined;
    const fromAddress = condition?.StringEquals['ses:FromAddress'];
    const as = (MailFrom: string) => evaluate(fromAddress, { MailFrom });
    expect(as('onboarding@your-org.example')).toBe('onboarding@your-org.example');
    expect(as('"Wirral Children\'s Services onboarding" <onboarding@your-org.example>')).toBe(
      'onboarding@your-org.example',
    );
    expect(as('Onboarding, HR <onboarding@your-org.example>')).toBe('onboarding@your-org.example');
    expect(as('"Wirral Children’s Services" <on.boarding+hr@your-org.example>')).toBe(
      'on.boarding+hr@your-org.example',
    );
    const arns = JSON.stringify(statement?.Resource);
    expect(arns).toContain(':identity/*');
    expect(arns).toContain(':configuration-set/');
  });

  it('lets only the sweeper read and resize the mailers’ event source, that one mapping and nothing else', () => {
    // Prepare
    const lambdaStatements = (id: FunctionId) =>
      statementsOf(id).filter((s) => actions(s).some((a) => a.startsWith('lambda:')));

    // Assess
    for (const id of FUNCTIONS.filter((f) => f !== 'Sweeper')) expect(lambdaStatements(id), id).toEqual([]);
    const [statement, ...others] = lambdaStatements('Sweeper');
    expect(others).toEqual([]);
    expect(actions(statement as Statement)).toEqual([
      'lambda:GetEventSourceMapping',
      'lambda:UpdateEventSourceMapping',
    ]);
    const arn = JSON.stringify(statement?.Resource);
    expect(arn).toContain(':event-source-mapping:');
    expect(arn).toContain(JSON.stringify(envOf('Sweeper').MAILER_EVENT_SOURCE));
  });

  it('routes the contract paths to ingest, ack, scim and the console, and logs no path', () => {
    // Prepare
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const target = (routeKey: string) => {
      const route = routes.find((r) => r.Properties.RouteKey === routeKey);
      const join = route?.Properties.Target as
        | { 'Fn::Join': [string, [string, { Ref: string }]] }
        | undefined;
      const integration = join?.['Fn::Join'][1][1].Ref ?? '';
      const uri = JSON.stringify(integrations[integration]?.Properties.IntegrationUri);
      return FUNCTIONS.find((id) => uri.includes(`"${logicalId(id, 'AWS::Lambda::Function')}"`));
    };

    // Assess
    const scimRoutes = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT'].map((m) => `${m} /scim/v2/{proxy+}`);
    const consoleRoutes = ['GET /console', 'GET /console/{proxy+}', 'POST /console/{proxy+}'];
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      [
        ...scimRoutes,
        'GET /ack/{token}',
        'GET /assets/{file}',
        'POST /ack/resend/{token}',
        'POST /ack/{token}',
        'POST /v1/starters',
        ...consoleRoutes,
      ].sort(),
    );
    for (const route of consoleRoutes) expect(target(route)).toBe('Console');
    for (const route of scimRoutes) expect(target(route)).toBe('Scim');
    expect(target('POST /v1/starters')).toBe('Ingest');
    expect(target('GET /ack/{token}')).toBe('Ack');
    expect(target('POST /ack/{token}')).toBe('Ack');
    expect(target('POST /ack/resend/{token}')).toBe('Ack');
    expect(target('GET /assets/{file}')).toBe('Ack');
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format);
    expect(Object.keys(format).sort()).toEqual(['ip', 'latency', 'requestId', 'routeKey', 'status']);
    expect(JSON.stringify(format)).not.toMatch(/\$context\.(path|resourcePath)|requestOverride/);
  });

  it('keeps the access log, which holds callers’ IP addresses, no longer than RETAIN_AUDIT_IP’s default year', () => {
    // Assess
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
    const destination = (stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string] } })
      .DestinationArn['Fn::GetAtt'][0];
    const days = resources[destination]?.Properties.RetentionInDays as number | undefined;
    expect(days).toBeGreaterThan(0);
    expect(days).toBeLessThanOrEqual(365);
  });

  it('feeds each queue to its consumer in batches of ten, retrying only the failed records', () => {
    // Assess: two mailers at most for a new account's rate; five lms-push
    const consumers = { MailQueue: ['Mailer', 2], LmsQueue: ['LmsPush', 5] } as const;
    for (const [queue, [consumer, concurrency]] of Object.entries(consumers)) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [logicalId(queue, 'AWS::SQS::Queue'), 'Arn'] },
        FunctionName: { Ref: logicalId(consumer, 'AWS::Lambda::Function') },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: concurrency },
      });
    }
  });

  it.each([
    [1, 2],
    [14, 2],
    [100, 5],
    [250, 13],
  ])(
    'sizes the mailers for SES_MAX_RATE=%s: %i at once, each told how many share the rate',
    (rate, mailers) => {
      // Prepare
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new AttestStack(app, 'Attest', {
        defaultPolicies: 'safe-internet-use',
        sesMaxRate: String(rate),
      });

      // Act
      const synthesised = Template.fromStack(stack);

      // Assess
      synthesised.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: Match.stringLikeRegexp('^Mailer') },
        ScalingConfig: { MaximumConcurrency: mailers },
      });
      // The mailer paces by it, and the sweeper sizes the mailers by it; neither is told a count.
      const functions = Object.entries(synthesised.findResources('AWS::Lambda::Function'));
      for (const id of ['Mailer', 'Sweeper']) {
        const found = functions.find(([logical]) => new RegExp(`^${id}[0-9A-F]{8}$`).test(logical));
        const properties = found?.[1].Properties as
          | { Environment: { Variables: Record<string, unknown> } }
          | undefined;
        const variables = properties?.Environment.Variables ?? {};
        expect(variables.SES_MAX_RATE).toBe(String(rate));
        expect(variables).not.toHaveProperty('MAILER_CONCURRENCY');
      }
    },
  );

  it.each(['0', '-3', 'fast', 'Infinity'])('refuses attest:sesMaxRate=%s, naming it', (rate) => {
    // Act and assess
    expect(
      () =>
        new AttestStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Attest', {
          defaultPolicies: 'safe-internet-use',
          sesMaxRate: rate,
        }),
    ).toThrow(/^attest:sesMaxRate \(SES_MAX_RATE\): must be a positive number of emails a second/);
  });

  it('runs the sweeper every five minutes', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId('Sweeper', 'AWS::Lambda::Function'), 'Arn'] },
        }),
      ],
    });
  });

  it('creates the attest configuration set, whose bounces, complaints and deliveries go to a topic', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'attest',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        // send: which message id each email attempt became, for a send whose record a crash lost.
        MatchingEventTypes: Match.arrayWith(['send', 'bounce', 'complaint', 'delivery']),
        SnsDestination: { TopicARN: { Ref: logicalId('EmailEvents', 'AWS::SNS::Topic') } },
      }),
    });
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
  });

  it('alarms on LMS dead letters, the LMS being disabled and deliveries owed to no configured destination, from lms-push’s logs', () => {
    // Assess
    for (const [name, pattern] of [
      ['LmsDeadLetters', '{ $.message = "LMS delivery dead-lettered" }'],
      ['LmsDisabled', '{ $.message = "LMS destination disabled*" }'],
      ['LmsUnconfigured', '{ $.message = "LMS delivery owed to*" }'],
    ]) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: pattern,
        LogGroupName: { Ref: logicalId('LmsPushLogs', 'AWS::Logs::LogGroup') },
        MetricTransformations: [{ MetricName: name, MetricNamespace: 'attest', MetricValue: '1' }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: name,
        Namespace: 'attest',
        Threshold: 0,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      });
    }
  });

  it('alarms when email sends fail for 15 minutes on end, over the mailer’s failed-send metric of every kind', () => {
    // Assess
    const metricOf = (kind: string) =>
      Match.objectLike({
        MetricStat: Match.objectLike({
          Metric: {
            Namespace: 'attest',
            MetricName: 'EmailSendFailed',
            Dimensions: [
              { Name: 'kind', Value: kind },
              { Name: 'service', Value: 'attest' },
            ],
          },
          Stat: 'Sum',
        }),
        ReturnData: false,
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({
          Expression: 'FILL(m0, 0) + FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0) + FILL(m4, 0) + FILL(m5, 0)',
          ReturnData: true,
        }),
        ...['invite', 'reminder', 'digest', 'receipt', 'bounce-notice', 'decline-notice'].map(metricOf),
      ]),
      Threshold: 0,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
  });

  it.each([
    ['daily', 'EmailDailyQuotaAlarm', 900, 1],
    ['rate', 'EmailRateThrottledAlarm', 300, 6],
  ] as const)(
    'alarms on sends SES’s %s quota held back, over every kind (%s)',
    (quota, id, period, periods) => {
      // Assess: a series per kind of email for this quota, summed; one period for the day's quota,
      // six on end for the rate (a paced burst passes)
      const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([logical]) =>
        logical.startsWith(id),
      );
      expect(found).toHaveLength(1);
      const alarm = found[0]?.[1] as { Properties: { Metrics: Array<Record<string, unknown>> } };
      const metrics = alarm.Properties.Metrics;
      const kinds = ['invite', 'reminder', 'digest', 'receipt', 'bounce-notice', 'decline-notice'];
      expect(metrics.filter((m) => m.ReturnData === true)).toEqual([
        expect.objectContaining({ Expression: kinds.map((_, i) => `FILL(m${i}, 0)`).join(' + ') }),
      ]);
      expect(metrics.filter((m) => m.ReturnData === false).map((m) => m.MetricStat)).toEqual(
        kinds.map((kind) => ({
          Metric: {
            Namespace: 'attest',
            MetricName: 'EmailThrottled',
            Dimensions: [
              { Name: 'kind', Value: kind },
              { Name: 'quota', Value: quota },
              { Name: 'service', Value: 'attest' },
            ],
          },
          Period: period,
          Stat: 'Sum',
        })),
      );
      expect(alarm.Properties).toMatchObject({
        EvaluationPeriods: periods,
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^Alarms/) }],
      });
    },
  );

  it('draws one dashboard: every alarm, each count the functions write by its kinds, the work queues and the functions’ errors', () => {
    // Prepare
    const widgets = dashboardWidgets(template);
    const series = seriesOf(widgets);
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort();
    /** The values of `dimension` over the series of attest's metric `name`, each of the attest service. */
    const counted = (name: string, dimension?: string) =>
      series
        .filter((s) => s.namespace === 'attest' && s.name === name)
        .map((s) => {
          expect(s.dimensions.service).toBe('attest');
          return dimension ? s.dimensions[dimension] : name;
        });

    // Assess: the alarms' states, and each alarm's own graph
    expect(alarms).toHaveLength(9);
    expect(widgets.find((w) => w.type === 'alarm')?.properties.alarms?.sort()).toEqual(alarms);
    expect(widgets.flatMap((w) => w.properties.annotations?.alarms ?? []).sort()).toEqual(alarms);

    // Assess: what the functions count, a series per kind
    expect(counted('StarterEventIngested', 'type')).toEqual([
      'starter.created',
      'starter.updated',
      'starter.cancelled',
    ]);
    expect(counted('AcknowledgementRecorded')).toEqual(['AcknowledgementRecorded']);
    const kinds = ['invite', 'reminder', 'digest', 'receipt', 'bounce-notice', 'decline-notice'];
    expect(counted('EmailSent', 'kind')).toEqual(kinds);
    expect(counted('EmailSendFailed', 'kind')).toEqual(kinds);
    expect(counted('LmsDelivery', 'destination')).toEqual(['webhook', 'webhook', 'webhook']);
    expect(counted('LmsDelivery', 'outcome')).toEqual(['delivered', 'retrying', 'dead-lettered']);

    // Assess: the work queues' depth and age, and each function's errors
    const queues = [logicalId('MailQueue', 'AWS::SQS::Queue'), logicalId('LmsQueue', 'AWS::SQS::Queue')];
    for (const name of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
      expect(
        series.filter((s) => s.namespace === 'AWS/SQS' && s.name === name).map((s) => s.dimensions.QueueName),
      ).toEqual(queues);
    }
    expect(
      series
        .filter((s) => s.namespace === 'AWS/Lambda' && s.name === 'Errors')
        .map((s) => s.dimensions.FunctionName),
    ).toEqual(FUNCTIONS.map((id) => logicalId(id, 'AWS::Lambda::Function')));
    template.hasOutput('DashboardUrl', Match.anyValue());
  });

  it('hands the topic’s events to ses-events, keeping what fails in its dead-letter queue', () => {
    // Prepare
    const deadLetters = logicalId('SesEventsDeadLetters', 'AWS::SQS::Queue');

    // Assess
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalId('EmailEvents', 'AWS::SNS::Topic') },
      Endpoint: { 'Fn::GetAtt': [logicalId('SesEvents', 'AWS::Lambda::Function'), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
    });
    expect(fn('SesEvents').Properties.DeadLetterConfig).toEqual({
      TargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
    });
  });

  it('takes deploy-time inputs as parameters, and links to the API URL when no public base URL is given', () => {
    // Assess
    template.hasParameter('MailFrom', { Type: 'String' });
    template.hasParameter('ReplyTo', { Type: 'String', Default: '' });
    template.hasParameter('HrNotifyEmail', { Type: 'String', Default: '' });
    template.hasParameter('OrganisationName', { Type: 'String' });
    template.hasParameter('LmsWebhookUrl', { AllowedPattern: '^https://.+' });
    template.hasParameter('PublicBaseUrl', { Default: '' });
    template.hasCondition('UseApiUrl', { 'Fn::Equals': [{ Ref: 'PublicBaseUrl' }, ''] });
    const [condition, whenEmpty, otherwise] = (envOf('Mailer').PUBLIC_BASE_URL as { 'Fn::If': unknown[] })[
      'Fn::If'
    ];
    expect(condition).toBe('UseApiUrl');
    expect(whenEmpty).toEqual({
      'Fn::GetAtt': [logicalId('ApiHttp', 'AWS::ApiGatewayV2::Api'), 'ApiEndpoint'],
    });
    expect(otherwise).toEqual({ Ref: 'PublicBaseUrl' });
  });

  it.each([
    ['MailFrom', 'onboarding@your-org.example', true],
    ['MailFrom', '"Wirral Children\'s Services onboarding" <onboarding@your-org.example>', true],
    ['MailFrom', 'Wirral Children’s Services <onboarding@your-org.example>', true],
    ['MailFrom', '', false],
    ['MailFrom', 'onboarding', false],
    ['MailFrom', 'Onboarding <onboarding@your-org.example', false],
    ['MailFrom', '"A <b>" <onboarding@your-org.example>', false],
    ['ReplyTo', '', true],
    ['ReplyTo', 'hr@your-org.example', true],
    ['ReplyTo', 'HR team <hr@your-org.example>', true],
    ['ReplyTo', 'hr at your-org', false],
    ['HrNotifyEmail', '', true],
    ['HrNotifyEmail', 'HR team <hr@your-org.example>', true],
    ['HrNotifyEmail', 'hr at your-org', false],
    ['ReattestEvery', '', true],
    ['ReattestEvery', 'P1Y', true],
    ['ReattestEvery', 'P1Y6M', true],
    ['ReattestEvery', 'PT40S', true],
    ['ReattestEvery', 'P', false],
    ['ReattestEvery', '-P1Y', false],
    ['ReattestEvery', 'one year', false],
  ])('lets the %s parameter be %j: %s', (name, value, allowed) => {
    // Prepare: CloudFormation's patterns are Java's; these use nothing JavaScript reads otherwise
    const pattern = (template.toJSON().Parameters[name] as { AllowedPattern: string }).AllowedPattern;

    // Assess
    expect(new RegExp(pattern).test(value)).toBe(allowed);
  });

  it('outputs what an operator needs to wire up HR and the LMS', () => {
    // Assess
    for (const name of [
      'ApiUrl',
      'TableName',
      'MailQueueUrl',
      'LmsQueueUrl',
      'HrWebhookSecretArn',
      'LmsWebhookSecretArn',
      'LrsPasswordSecretArn',
      'AckTokenKeysSecretArn',
      'AlarmTopicArn',
    ]) {
      template.hasOutput(name, Match.anyValue());
    }
  });

  it('outputs the console’s address, its user pool and its sign-in pages', () => {
    // Prepare
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const pool = logicalId('ConsoleSignInUsers', 'AWS::Cognito::UserPool');
    const baseUrl = {
      'Fn::If': [
        'UseApiUrl',
        { 'Fn::GetAtt': [logicalId('ApiHttp', 'AWS::ApiGatewayV2::Api'), 'ApiEndpoint'] },
        { Ref: 'PublicBaseUrl' },
      ],
    };

    // Assess
    expect(outputs.ConsoleUrl?.Value).toEqual({ 'Fn::Join': ['', [baseUrl, '/console/']] });
    expect(outputs.ConsoleUserPoolId?.Value).toEqual({ Ref: pool });
    expect(
      evaluate(outputs.ConsoleSignInUrl?.Value, {
        [logicalId('ConsoleSignInUsersDomain', 'AWS::Cognito::UserPoolDomain')]: 'attest-hr',
        'AWS::Region': 'eu-west-2',
      }),
    ).toBe('https://attest-hr.auth.eu-west-2.amazoncognito.com');
    expect(outputs.ConsoleSessionKeySecretArn?.Value).toEqual({
      Ref: logicalId('SecretsConsoleSessionKey', 'AWS::SecretsManager::Secret'),
    });
  });

  it('holds erasure’s pseudonym key for the operator alone, kept if the stack is deleted', () => {
    // Prepare
    const key = logicalId('SecretsPseudonymKey', 'AWS::SecretsManager::Secret');

    // Assess: kept, given as an output, and read by no function (the test above lists their secrets)
    expect(resources[key]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(template.toJSON().Outputs.PseudonymKeySecretArn?.Value).toEqual({ Ref: key });
    const readers = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes(key),
    );
    expect(readers).toEqual([]);
  });
});

describe('AttestStack with xAPI', () => {
  /** Synthesises the stack for an `attest:lmsMode`, cdk-nag on; answers its template and nag findings. */
  function synth(lmsMode: string) {
    const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new AttestStack(app, 'Attest', { defaultPolicies: 'safe-internet-use', lmsMode });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    const template = Template.fromStack(stack);
    const resources = template.toJSON().Resources as Record<string, Resource>;
    const byPrefix = (prefix: string, type: string) =>
      Object.keys(resources).filter(
        (k) => resources[k]?.Type === type && new RegExp(`^${prefix}[0-9A-F]{8}$`).test(k),
      );
    const lmsPush = resources[byPrefix('LmsPush', 'AWS::Lambda::Function')[0] as string] as Resource;
    const ack = resources[byPrefix('Ack', 'AWS::Lambda::Function')[0] as string] as Resource;
    const env = (r: Resource) =>
      (r.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const role = (lmsPush.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const secretsRead = Object.values(resources)
      .filter(
        (r) =>
          r.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role }]),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((st) => [...JSON.stringify(st.Resource).matchAll(/"Ref":"([A-Za-z0-9]+)"/g)].map((m) => m[1]));
    return {
      template,
      nag: report.pluginReports.find((p) => p.pluginName === 'AwsSolutions')?.violations,
      lmsPushEnv: env(lmsPush),
      ackEnv: env(ack),
      secret: (id: string) => byPrefix(`Secrets${id}`, 'AWS::SecretsManager::Secret'),
      secretsRead,
    };
  }

  it('with both destinations, gives lms-push the LRS settings and its password secret, and nothing else more', () => {
    // Act
    const { template, nag, lmsPushEnv, ackEnv, secret, secretsRead } = synth('webhook,xapi');

    // Assess
    expect(nag).toEqual([]);
    expect(ackEnv.LMS_MODE).toBe('webhook,xapi');
    expect(lmsPushEnv).toMatchObject({
      LMS_MODE: 'webhook,xapi',
      LMS_WEBHOOK_URL: { Ref: 'LmsWebhookUrl' },
      LRS_ENDPOINT: { Ref: 'LrsEndpoint' },
      LRS_USERNAME: { Ref: 'LrsUsername' },
      XAPI_ACCOUNT_HOMEPAGE: { Ref: 'XapiAccountHomePage' },
      LRS_PASSWORD_SECRET_ARN: { Ref: secret('LrsPassword')[0] },
    });
    expect(secretsRead.sort()).toEqual([...secret('LmsWebhookSecret'), ...secret('LrsPassword')].sort());
    template.hasParameter('LrsEndpoint', { AllowedPattern: '^https://.+' });
    template.hasParameter('LmsWebhookUrl', { AllowedPattern: '^https://.+' });
    template.hasOutput('LrsPasswordSecretArn', {});
    expect(lmsPushEnv).toMatchObject({
      XAPI_ACTOR: { Ref: 'XapiActor' },
      XAPI_ACTIVITY_BASE: { Ref: 'XapiActivityBase' },
    });
    template.hasParameter('XapiActor', { Default: 'account', AllowedValues: ['account', 'mbox'] });
    template.hasParameter('XapiActivityBase', { Default: 'urn:attest:policies/' });
    template.hasParameter('XapiAccountHomePage', { Default: '' });
    // The password is Secrets Manager's, never a parameter or a literal.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/LrsPassword"?:\s*\{\s*"Type"|"SecretString"/);
  });

  it('with xAPI alone, has no webhook URL or settings, and lms-push reads only the LRS password', () => {
    // Act
    const { template, nag, lmsPushEnv, secret, secretsRead } = synth('xapi');

    // Assess
    expect(nag).toEqual([]);
    expect(lmsPushEnv.LMS_MODE).toBe('xapi');
    expect(lmsPushEnv).not.toHaveProperty('LMS_WEBHOOK_URL');
    expect(lmsPushEnv).not.toHaveProperty('LMS_WEBHOOK_SECRET_ARN');
    expect(secretsRead).toEqual(secret('LrsPassword'));
    expect(Object.keys(template.toJSON().Parameters)).not.toContain('LmsWebhookUrl');
  });

  it('with Moodle beside the webhook, gives lms-push the Moodle settings and token secret, and nothing of xAPI', () => {
    // Act
    const { template, nag, lmsPushEnv, ackEnv, secret, secretsRead } = synth('webhook,moodle');

    // Assess
    expect(nag).toEqual([]);
    expect(ackEnv.LMS_MODE).toBe('webhook,moodle');
    expect(lmsPushEnv).toMatchObject({
      LMS_MODE: 'webhook,moodle',
      MOODLE_URL: { Ref: 'MoodleUrl' },
      MOODLE_USER_FIELD: { Ref: 'MoodleUserField' },
      MOODLE_ACTIVITIES: { Ref: 'MoodleActivities' },
      MOODLE_TOKEN_SECRET_ARN: { Ref: secret('MoodleToken')[0] },
    });
    expect(lmsPushEnv).not.toHaveProperty('LRS_ENDPOINT');
    expect(secretsRead.sort()).toEqual([...secret('LmsWebhookSecret'), ...secret('MoodleToken')].sort());
    template.hasParameter('MoodleUrl', { AllowedPattern: '^https://.+' });
    template.hasParameter('MoodleUserField', {
      Default: 'email',
      AllowedValues: ['email', 'idnumber', 'username'],
    });
    template.hasParameter('MoodleActivities', { Default: '' });
    template.hasOutput('MoodleTokenSecretArn', {});
  });

  it('with both destinations, graphs the delivery attempts to each on the dashboard', () => {
    // Act
    const { template } = synth('webhook,xapi');

    // Assess
    const deliveries = seriesOf(dashboardWidgets(template)).filter((s) => s.name === 'LmsDelivery');
    expect(deliveries.map((s) => `${s.dimensions.destination} ${s.dimensions.outcome}`)).toEqual([
      'webhook delivered',
      'webhook retrying',
      'webhook dead-lettered',
      'xapi delivered',
      'xapi retrying',
      'xapi dead-lettered',
    ]);
  });

  it('refuses an unknown destination at synth', () => {
    // Act / Assess
    expect(() => synth('webhook,canvas')).toThrow(
      /attest:lmsMode must be one or more of webhook, xapi, moodle, comma-separated/,
    );
  });
});

describe('AttestStack console domain', () => {
  /** The stack's template for a console domain prefix (context `attest:consoleDomainPrefix`). */
  const synth = (consoleDomainPrefix: string) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AttestStack(app, 'Attest', {
      defaultPolicies: 'safe-internet-use',
      consoleDomainPrefix,
    });
    return Template.fromStack(stack);
  };

  it('takes the managed login domain’s prefix from the context when given', () => {
    // Act
    const template = synth('acme-attest');

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-attest' });
  });

  it.each(['Acme', '-acme', 'acme-', 'my-cognito-login', 'aws-hr', 'a'.repeat(64), 'acme_hr'])(
    'refuses the prefix %j at synth',
    (prefix) => {
      // Act / Assess
      expect(() => synth(prefix)).toThrow(/attest:consoleDomainPrefix must be/);
    },
  );
});

describe('indexesAt: the upgrade from the due indexes that projected whole items', () => {
  const names = (step?: number) => indexesAt(step).map((index) => index.name);

  it('changes one index a step, adding the four new due indexes beside the old, then dropping the old', () => {
    // Prepare: the stack as first deployed, then each step, then this version's
    const before = [...names(1).filter((n) => n !== 'due-v2')];
    const steps = [
      before,
      ...Array.from({ length: DUE_INDEX_UPGRADE_STEPS }, (_, i) => names(i + 1)),
      names(),
    ];

    // Assess
    expect(DUE_INDEX_UPGRADE_STEPS).toBe(7);
    expect(before.sort()).toEqual(['due', 'lms-due', 'moodle-due', 'policy', 'retain', 'signed', 'xapi-due']);
    for (let i = 1; i < steps.length; i++) {
      const [a, b] = [new Set(steps[i - 1]), new Set(steps[i])];
      const changed = [...a].filter((n) => !b.has(n)).length + [...b].filter((n) => !a.has(n)).length;
      expect(changed, `step ${i}`).toBe(1);
    }
    expect(names().sort()).toEqual([
      'due-v2',
      'lms-due-v2',
      'moodle-due-v2',
      'policy',
      'retain',
      'signed',
      'xapi-due-v2',
    ]);
  });

  it('keeps the old indexes as they were built (projecting whole items) while they remain', () => {
    // Assess
    const old = indexesAt(4).find((index) => index.name === 'lms-due');
    expect(old).toMatchObject({ partitionKey: 'lmsShard', sortKey: { name: 'lmsDueAt', type: 'S' } });
    expect(old?.include).toBeUndefined();
  });

  it('refuses a step that is not one of the seven', () => {
    // Assess
    for (const step of [0, 8, 1.5]) expect(() => indexesAt(step)).toThrow(/from 1 to 7/);
  });
});
