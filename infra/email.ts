// SES v2: the configuration set every email is sent with, and its event topic (bounces, complaints, deliveries).
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export class Email extends Construct {
  readonly configurationSet: ConfigurationSet;
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
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.REJECT,
      ],
    });
  }
}
