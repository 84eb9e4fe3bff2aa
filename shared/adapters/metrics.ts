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
      // Each metric is written at once: nothing waits for a flush that a failing handler might skip.
      // Published from the one instance, as Powertools' `singleMetric()` would write it, without
      // making a new Metrics (its environment read again, its console made) for every count.
      try {
        for (const [key, value] of Object.entries(dimensions)) raw.addDimension(key, value);
        raw.addMetric(name, MetricUnit.Count, 1);
        raw.publishStoredMetrics();
      } finally {
        // A dimension refused part-way must not be written with the next count.
        raw.clearMetrics();
        raw.clearDimensions();
      }
    },
  };
}
