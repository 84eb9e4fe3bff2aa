// The attest stack: HTTP API, five functions, one table, two queues with dead letters, the sweeper's schedule, SES and secrets.
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
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Data } from './data.ts';
import { Email } from './email.ts';
import { attestFunction } from './functions.ts';
import { WorkQueue } from './queues.ts';
import { Secrets } from './secrets.ts';

export interface AttestStackProps extends StackProps {
  /** Policies assigned when an HR event names none. */
  defaultPolicies: string;
}

export class AttestStack extends Stack {
  constructor(scope: Construct, id: string, props: AttestStackProps) {
    super(scope, id, props);

    // Deploy-time inputs: synth needs none of them, and none is secret.
    const mailFrom = new CfnParameter(this, 'MailFrom', {
      description: 'The SES-verified address invites are sent from',
      allowedPattern: '^[^@\\s]+@[^@\\s]+$',
    });
    const lmsWebhookUrl = new CfnParameter(this, 'LmsWebhookUrl', {
      description: 'Where completions are POSTed (https only)',
      allowedPattern: '^https://.+',
    });
    const organisationName = new CfnParameter(this, 'OrganisationName', {
      description: 'Shown in emails',
      minLength: 1,
    });
    const publicBaseUrl = new CfnParameter(this, 'PublicBaseUrl', {
      description: 'Custom https origin for links (empty: the HTTP API URL)',
      default: '',
      allowedPattern: '^(https://[^/]+)?$',
    });

    const { table } = new Data(this, 'Data');
    const secrets = new Secrets(this, 'Secrets');
    const email = new Email(this, 'Email');
    const consumerTimeout = Duration.seconds(30);
    const mail = new WorkQueue(this, 'Mail', { consumerTimeout });
    const lms = new WorkQueue(this, 'Lms', { consumerTimeout });

    const api = new HttpApi(this, 'Api', { createDefaultStage: false, description: 'attest HTTP API' });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { burstLimit: 100, rateLimit: 50 },
      // No path: acknowledgement tokens are in it.
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            ip: AccessLogField.contextIdentitySourceIp(),
            latency: AccessLogField.contextResponseLatency(),
            time: AccessLogField.contextRequestTime(),
          }),
        ),
      },
    });
    const useApiUrl = new CfnCondition(this, 'UseApiUrl', {
      expression: Fn.conditionEquals(publicBaseUrl.valueAsString, ''),
    });
    const baseUrl = Fn.conditionIf(
      useApiUrl.logicalId,
      Fn.join('', ['https://', api.apiId, '.execute-api.', this.region, '.', this.urlSuffix]),
      publicBaseUrl.valueAsString,
    ).toString();

    const common = { TABLE_NAME: table.tableName };
    const ingest = attestFunction(this, 'Ingest', {
      name: 'ingest',
      environment: {
        ...common,
        HR_WEBHOOK_SECRET_ARN: secrets.hrWebhook.secretArn,
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        DEFAULT_POLICIES: props.defaultPolicies,
      },
    });
    const mailer = attestFunction(this, 'Mailer', {
      name: 'mailer',
      memorySize: 512,
      timeout: consumerTimeout,
      environment: {
        ...common,
        MAIL_FROM: mailFrom.valueAsString,
        SES_CONFIGURATION_SET: email.configurationSet.configurationSetName,
        ACK_TOKEN_KEYS_SECRET_ARN: secrets.ackTokenKeys.secretArn,
        PUBLIC_BASE_URL: baseUrl,
        TOKEN_TTL: 'P30D',
        ORGANISATION_NAME: organisationName.valueAsString,
      },
    });
    const ack = attestFunction(this, 'Ack', {
      name: 'ack',
      memorySize: 512,
      environment: {
        ...common,
        ACK_TOKEN_KEYS_SECRET_ARN: secrets.ackTokenKeys.secretArn,
        LMS_QUEUE_URL: lms.queue.queueUrl,
        MAIL_QUEUE_URL: mail.queue.queueUrl,
      },
    });
    const lmsPush = attestFunction(this, 'LmsPush', {
      name: 'lms-push',
      timeout: consumerTimeout,
      environment: {
        ...common,
        LMS_WEBHOOK_URL: lmsWebhookUrl.valueAsString,
        LMS_WEBHOOK_SECRET_ARN: secrets.lmsWebhook.secretArn,
      },
    });
    const sweeper = attestFunction(this, 'Sweeper', {
      name: 'sweeper',
      timeout: Duration.minutes(1),
      environment: {
        ...common,
        MAIL_QUEUE_URL: mail.queue.queueUrl,
        LMS_QUEUE_URL: lms.queue.queueUrl,
        SWEEP_INTERVAL: 'PT5M',
      },
    });

    // Least privilege: each function gets its table access, its queue, and only its own secret.
    for (const fn of [ingest, mailer, ack, lmsPush, sweeper]) table.grantReadWriteData(fn);
    secrets.hrWebhook.grantRead(ingest);
    secrets.ackTokenKeys.grantRead(mailer);
    secrets.ackTokenKeys.grantRead(ack);
    secrets.lmsWebhook.grantRead(lmsPush);
    mail.queue.grantSendMessages(ingest);
    mail.queue.grantSendMessages(sweeper);
    mail.queue.grantSendMessages(ack);
    lms.queue.grantSendMessages(ack);
    lms.queue.grantSendMessages(sweeper);
    mailer.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: email.configurationSet.configurationSetName,
          }),
        ],
      }),
    );

    mailer.addEventSource(
      new SqsEventSource(mail.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        // Keeps the send rate within a new SES account's limits.
        maxConcurrency: 5,
      }),
    );
    lmsPush.addEventSource(
      new SqsEventSource(lms.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );
    new Rule(this, 'SweepSchedule', {
      description: 'attest: re-drive owed work from the due index',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(sweeper)],
    });

    api.addRoutes({
      path: '/v1/starters',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('IngestRoute', ingest),
    });
    api.addRoutes({
      path: '/ack/{token}',
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('AckRoute', ack),
    });
    api.addRoutes({
      path: '/ack/resend/{token}',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('FreshLinkRoute', ack),
    });

    new CfnOutput(this, 'ApiUrl', { value: baseUrl });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'MailQueueUrl', { value: mail.queue.queueUrl });
    new CfnOutput(this, 'LmsQueueUrl', { value: lms.queue.queueUrl });
    new CfnOutput(this, 'HrWebhookSecretArn', { value: secrets.hrWebhook.secretArn });
    new CfnOutput(this, 'LmsWebhookSecretArn', { value: secrets.lmsWebhook.secretArn });
    new CfnOutput(this, 'AckTokenKeysSecretArn', { value: secrets.ackTokenKeys.secretArn });

    acknowledgeReviewedFindings(this);
  }
}

/** Each cdk-nag finding accepted here has its reason; anything new fails the synth and the stack test. */
function acknowledgeReviewedFindings(stack: Stack): void {
  const findings = [
    {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The managed policy for writing a function’s own logs; it grants nothing else.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords) has no resource-level permissions.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::<DataTableFDBAD0F2.Arn>/index/*]',
      reason: 'The table’s own indexes (the sparse due index); the grant is scoped to this one table.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      reason:
        'The sender identity is the operator’s verified domain, chosen at deploy time; scoped to this account and region.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'Callers authenticate in the handler: HR by Standard Webhooks signature, starters by a signed single-purpose token.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the code is built and tested for; moving runtime is a tested change, not a flag.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        'The HR and LMS secrets are shared with other systems and rotate with them; link keys rotate by adding a kid.',
    },
  ];
  for (const finding of findings) Validations.of(stack).acknowledge(finding);
}
