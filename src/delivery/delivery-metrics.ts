/** Delivery metrics of SPEC section 6, labelled by connector only (bounded cardinality). */
import type { Metrics } from '../ops/metrics.ts';

export type DeliveryOutcomeLabel = 'delivered' | 'retried' | 'dead' | 'refused';

export class DeliveryMetrics {
  private readonly total;
  private readonly duration;

  constructor(metrics: Metrics) {
    this.total = metrics.counter('lgsp_deliveries_total', 'Delivery attempts by outcome', ['connector', 'outcome']);
    this.duration = metrics.histogram(
      'lgsp_delivery_duration_seconds',
      'Accept to delivered, per destination connector',
      ['connector'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    );
  }

  delivered(connector: string, latencyMs: number): void {
    this.total.inc({ connector, outcome: 'delivered' });
    this.duration.observe({ connector }, latencyMs / 1000);
  }

  outcome(connector: string, outcome: Exclude<DeliveryOutcomeLabel, 'delivered'>): void {
    this.total.inc({ connector, outcome });
  }
}
