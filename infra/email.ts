// SES v2: the configuration set every email is sent with, its event topic (sends, bounces, complaints, deliveries), and who may send.
import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { parseMailbox } from '../shared/core/mailbox.ts';

export class Email extends Construct {
  readonly configurationSet: ConfigurationSet;
  /** SES events for the assignment status; its consumer (ses-events) comes in a later change. */
  readonly events: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: 'attest',
      reputationMetrics: true,
      sendingEnabled: true,
    });
    this.events = new Topic(this, 'Events', { displayName: 'attest SES events', enforceSSL: true });
    new ConfigurationSetEventDestination(this, 'ToTopic', {
      configurationSet: this.configurationSet,
      destination: EventDestination.snsTopic(this.events),
      // SEND tells which message id each email attempt became (its `attempt` tag), so a send whose
      // record a crash lost is recorded, not sent again.
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.REJECT,
      ],
    });
  }

  /**
   * Lets `fn` send from `mailFrom`'s address only, through this configuration set. `mailFrom` is
   * the MAIL_FROM setting, which may carry a display name: SES authorises the bare address
   * (`ses:FromAddress`; the name is `ses:FromDisplayName`), so the condition holds that alone. The
   * identity is left open within the account and region: the operator verifies their own domain
   * (or the address), and in the SES sandbox the verified recipients are checked against the same
   * statement.
   */
  grantSend(fn: IFunction, mailFrom: string): void {
    const stack = Stack.of(this);
    const from = Token.isUnresolved(mailFrom) ? bareAddress(mailFrom) : parseMailbox(mailFrom).address;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      reason:
        'The sender identity is the operator’s, verified outside the stack; the statement is held to this account, region and From address.',
    });
  }

  /** Lets `fn` read the account's send quota (SES v2 GetAccount): the mailer paces its sends by it, the sweeper sizes the mailers by it. */
  grantReadQuota(fn: IFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'ses:GetAccount (the send quota the mailer paces itself by and the sweeper sizes the mailers by) has no resource-level permissions; nor has X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords).',
    });
  }
}

/**
 * The address inside a deploy-time mailbox (`addr` or `Name <addr>`, no < or > in the name): what
 * follows the first `<` of `value<value>`, up to the next `>`. A bare address reaches its own
 * appended copy's `>`; a named one reaches its own.
 */
function bareAddress(mailbox: string): string {
  const padded = Fn.join('', [mailbox, '<', mailbox, '>']);
  return Fn.select(0, Fn.split('>', Fn.select(1, Fn.split('<', padded))));
}
