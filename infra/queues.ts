// The work queues (mail, LMS): each with a dead-letter queue, an alarm on it, and the one function that consumes it.
import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface WorkQueueProps {
  /** The consumer's timeout: the queue's visibility timeout is derived from it. */
  consumerTimeout: Duration;
  /** Where the dead-letter alarm is announced. */
  alarms: ITopic;
}

/** How long the event source may wait to fill a batch: short, so an invite leaves within seconds. */
const BATCHING_WINDOW = Duration.seconds(1);

/** An alarm on a dead-letter queue: anything in it is announced on `alarms`. */
export function alarmOnDeadLetters(scope: Construct, id: string, deadLetters: Queue, alarms: ITopic): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription: `attest ${scope.node.id}: messages reached the dead-letter queue; inspect and replay them`,
    metric: deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(alarms));
  return alarm;
}

export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  /** Announces anything in the dead-letter queue. */
  readonly deadLettersAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    // The dead-letter queue takes dead letters from this queue alone (RedriveAllowPolicy byQueue).
    // The queue names its DLQ (RedrivePolicy), so the DLQ cannot name the queue back by reference
    // (a circular dependency): the queue gets a name made of the stack's, and the DLQ names the
    // ARN built from it. One stack name, one pair of names: two stacks never share a queue.
    const queueName = `${Aws.STACK_NAME}-${id.toLowerCase()}`;
    const queueArn = Stack.of(this).formatArn({
      service: 'sqs',
      resource: queueName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    this.deadLetters = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [Queue.fromQueueArn(this, 'Source', queueArn)],
      },
    });
    this.queue = new Queue(this, 'Queue', {
      queueName,
      // AWS's guidance for Lambda consumers: six times the function's timeout plus the batching
      // window, so a batch retried after throttling is not made visible again while it is in flight.
      visibilityTimeout: Duration.seconds(
        props.consumerTimeout.toSeconds() * 6 + BATCHING_WINDOW.toSeconds(),
      ),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    this.deadLettersAlarm = alarmOnDeadLetters(this, 'DeadLettersAlarm', this.deadLetters, props.alarms);
  }

  /**
   * Feeds the queue to its consumer in batches of ten; a failed record is retried alone
   * (ReportBatchItemFailures), so one bad message never re-sends the nine good ones.
   */
  feed(consumer: IFunction, options: { maxConcurrency?: number } = {}): SqsEventSource {
    const source = new SqsEventSource(this.queue, {
      batchSize: 10,
      maxBatchingWindow: BATCHING_WINDOW,
      reportBatchItemFailures: true,
      ...options,
    });
    consumer.addEventSource(source);
    return source;
  }
}
