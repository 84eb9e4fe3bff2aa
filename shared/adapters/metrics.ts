// The Metrics port on Powertools' Metrics: CloudWatch metrics written as embedded metric format to the log.
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Metrics } from '../ports.ts';

/** Every function's metrics share one namespace; `service` names the function in a dimension. */
export const METRICS_NAMESPACE = 'attest';
/** The `service` dimension of the metrics (and alarms) as they are today: one for every function. */
export const METRICS_SERVICE = 'attest';

export function makeMetrics(serviceName = METRICS_SERVICE): Metrics {
  const raw = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName });
  return {
    count(name, dimensions = {}) {
      // A single metric is written at once: nothing waits for a flush that a failing handler might skip.
      const single = raw.singleMetric();
      for (const [key, value] of Object.entries(dimensions)) single.addDimension(key, value);
      single.addMetric(name, MetricUnit.Count, 1);
    },
  };
}
