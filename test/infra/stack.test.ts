// The synthesised CloudFormation template: what a deploy would create, checked without AWS.
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttestStack } from '../../infra/attest-stack.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };

describe('AttestStack', () => {
  let template: Template;
  let functions: Record<string, Resource>;

  const fn = (entry: string) => {
    const found = Object.values(functions).find((f) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes(entry),
    );
    if (!found) throw new Error(`no function with ${entry}`);
    return found;
  };
  const envOf = (r: Resource) =>
    (r.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

  beforeAll(() => {
    // Prepare: bundling skipped (the real bundle is built by `cdk synth` in CI), cdk-nag on
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AttestStack(app, 'Attest', { defaultPolicies: 'safe-internet-use' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    // Act: synthesis runs the cdk-nag rules and throws on any unacknowledged finding
    app.synth();
    template = Template.fromStack(stack);
    functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  });

  it('has one table with the sparse due index, TTL and point-in-time recovery, kept on delete', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'due',
            KeySchema: [
              { AttributeName: 'dueShard', KeyType: 'HASH' },
              { AttributeName: 'dueAt', KeyType: 'RANGE' },
            ],
          }),
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      }),
    });
  });

  it('gives each work queue a dead-letter queue after five receives, and alarms on it', () => {
    // Assess
    const queues = Object.values(template.findResources('AWS::SQS::Queue')) as Resource[];
    const withRedrive = queues.filter((q) => q.Properties.RedrivePolicy);
    expect(queues).toHaveLength(4);
    expect(withRedrive).toHaveLength(2);
    for (const q of withRedrive) expect(q.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    for (const q of queues) expect(q.Properties.SqsManagedSseEnabled).toBe(true);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  it('runs five functions on Node.js 22 arm64', () => {
    // Assess
    expect(Object.keys(functions)).toHaveLength(5);
    for (const f of Object.values(functions)) {
      expect(f.Properties.Runtime).toBe('nodejs22.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('gives each function the settings its code reads, with secrets only as ARNs', () => {
    // Assess
    expect(Object.keys(envOf(fn('HR_WEBHOOK_SECRET_ARN'))).sort()).toEqual(
      [
        'DEFAULT_POLICIES',
        'HR_WEBHOOK_SECRET_ARN',
        'LOG_LEVEL',
        'MAIL_QUEUE_URL',
        'POWERTOOLS_SERVICE_NAME',
        'TABLE_NAME',
      ].sort(),
    );
    expect(Object.keys(envOf(fn('MAIL_FROM')))).toEqual(
      expect.arrayContaining([
        'MAIL_FROM',
        'SES_CONFIGURATION_SET',
        'ACK_TOKEN_KEYS_SECRET_ARN',
        'PUBLIC_BASE_URL',
        'TOKEN_TTL',
        'ORGANISATION_NAME',
      ]),
    );
    expect(Object.keys(envOf(fn('LMS_WEBHOOK_URL')))).toEqual(
      expect.arrayContaining(['LMS_WEBHOOK_URL', 'LMS_WEBHOOK_SECRET_ARN']),
    );
    expect(envOf(fn('SWEEP_INTERVAL')).SWEEP_INTERVAL).toBe('PT5M');
    for (const f of Object.values(functions)) {
      const names = Object.keys(envOf(f));
      expect(names.filter((n) => /SECRET|KEYS/.test(n) && !n.endsWith('_ARN'))).toEqual([]);
    }
  });

  it('lets each function read only its own secret', () => {
    // Assess: each secret is named in exactly the policies of the functions that need it
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(3);
    const readers = (secret: string) =>
      policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(`"Ref":"${secret}"`))
        .length;
    const counts = secrets.map(readers).sort();
    // HR → ingest; LMS → lms-push; link keys → mailer and ack
    expect(counts).toEqual([1, 1, 2]);
  });

  it('routes the contract paths to the API', () => {
    // Assess
    for (const routeKey of [
      'POST /v1/starters',
      'GET /ack/{token}',
      'POST /ack/{token}',
      'POST /ack/resend/{token}',
    ]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { Format: Match.not(Match.stringLikeRegexp('\\$context\\.path')) },
    });
  });

  it('feeds the queues to their consumers with partial batch failures', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs the sweeper every five minutes', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('sends email through the attest configuration set, whose events go to a topic', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'attest' });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ SnsDestination: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ses:SendEmail' })]) },
    });
  });

  it('takes the sender and the LMS URL as deploy-time parameters, the URL https only', () => {
    // Assess
    template.hasParameter('MailFrom', Match.anyValue());
    template.hasParameter('LmsWebhookUrl', { AllowedPattern: '^https://.+' });
  });
});
