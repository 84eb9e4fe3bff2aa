// The operations dashboard: the alarms, what the functions count, the work queues and the functions' errors, on one CloudWatch page.
import { Aws, Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  AlarmStatusWidgetSortBy,
  AlarmWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IWidget,
  Metric,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../shared/adapters/metrics.ts';
import type { DeliverOutcome } from '../shared/core/deliver.ts';
import type { DestinationName } from '../shared/core/destinations/names.ts';
import { EMAIL_KINDS } from '../shared/core/model.ts';
import { starterEventSchema } from '../shared/core/starter-event.ts';

export interface OperationsDashboardProps {
  /** Every alarm of the stack by what it says: their states first, then each one's graph against its threshold. */
  alarms: Readonly<Record<string, IAlarm>>;
  /** The work queues by name: how much waits in each, and for how long. */
  queues: Readonly<Record<string, IQueue>>;
  /** The functions by name: their errors. */
  functions: Readonly<Record<string, IFunction>>;
  /** The LMS destinations deployed (LMS_MODE): a delivery graph each. */
  destinations: readonly DestinationName[];
}

/** The HR event types, as the schema names them: `StarterEventIngested` has a series per type. */
const EVENT_TYPES = starterEventSchema(new Set())._zod.def.options.map(
  (option) => option.shape.type._zod.def.values[0] as string,
);
/** The outcomes lms-push counts in `LmsDelivery` (an attempt not owed, or leased elsewhere, is not counted). */
const COUNTED_OUTCOMES = [
  'delivered',
  'retrying',
  'dead-lettered',
] as const satisfies readonly DeliverOutcome[];

const PERIOD = Duration.minutes(5);
/** The grid is 24 units wide. */
const WIDTH = 24;

/** A count the functions write (shared/adapters/metrics.ts), summed per period; `label` names its series. */
function counted(metricName: string, dimensions: Record<string, string> = {}, label = metricName): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE, ...dimensions },
    statistic: Stats.SUM,
    period: PERIOD,
    label,
  });
}

export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const half = WIDTH / 2;
    const third = WIDTH / 3;
    const alarmWidth = WIDTH / 4;

    const rows: IWidget[][] = [
      [
        new AlarmStatusWidget({
          title: 'Alarms (each notifies the alarms topic)',
          alarms: Object.values(props.alarms),
          sortBy: AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
          width: WIDTH,
          height: 3,
        }),
      ],
      Object.entries(props.alarms).map(
        ([title, alarm]) => new AlarmWidget({ alarm, title, width: alarmWidth, height: 5 }),
      ),
      [
        new GraphWidget({
          title: 'Starter events ingested, by type',
          left: EVENT_TYPES.map((type) => counted('StarterEventIngested', { type }, type)),
          width: third,
          stacked: true,
        }),
        new GraphWidget({
          title: 'Acknowledgements recorded',
          left: [counted('AcknowledgementRecorded')],
          width: third,
        }),
        new GraphWidget({
          title: 'Email sends failed, by kind',
          left: EMAIL_KINDS.map((kind) => counted('EmailSendFailed', { kind }, kind)),
          width: third,
          stacked: true,
        }),
      ],
      [
        new GraphWidget({
          title: 'Emails sent, by kind',
          left: EMAIL_KINDS.map((kind) => counted('EmailSent', { kind }, kind)),
          width: WIDTH,
          stacked: true,
        }),
      ],
      props.destinations.map(
        (destination) =>
          new GraphWidget({
            title: `LMS delivery attempts (${destination}), by outcome`,
            left: COUNTED_OUTCOMES.map((outcome) =>
              counted('LmsDelivery', { destination, outcome }, outcome),
            ),
            width: WIDTH / props.destinations.length,
            stacked: true,
          }),
      ),
      [
        new GraphWidget({
          title: 'Messages waiting in the work queues',
          left: Object.entries(props.queues).map(([name, queue]) =>
            queue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
              label: name,
            }),
          ),
          width: half,
        }),
        new GraphWidget({
          title: 'Age of the oldest message in the work queues',
          left: Object.entries(props.queues).map(([name, queue]) =>
            queue.metricApproximateAgeOfOldestMessage({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
              label: name,
            }),
          ),
          leftYAxis: { label: 'seconds', showUnits: false },
          width: half,
        }),
      ],
      [
        new GraphWidget({
          title: 'Function errors',
          left: Object.entries(props.functions).map(([name, fn]) =>
            fn.metricErrors({ period: PERIOD, statistic: Stats.SUM, label: name }),
          ),
          width: WIDTH,
          stacked: true,
        }),
      ],
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      // One stack, one dashboard: named after the stack, as its queues are.
      dashboardName: Aws.STACK_NAME,
      defaultInterval: Duration.hours(24),
      widgets: rows,
    });
  }
}
