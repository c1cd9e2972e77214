/**
 * The data-sharing metrics (issue 14, docs/services.md): calls by service, consumer and outcome,
 * and their duration as the consumer saw it (the call log's write included).
 */
import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from '../ops/metrics.ts';
import type { CallOutcome } from './service-record.ts';

/** Seconds: a national database lookup takes tens of milliseconds; a slow one, seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class ServiceMetrics {
  private readonly calls: Counter<'service' | 'consumer' | 'outcome'>;
  private readonly duration: Histogram<'service'>;

  constructor(metrics: Metrics) {
    this.calls = metrics.counter('lgsp_service_calls_total', 'Data-sharing calls by service, consumer connector and outcome', [
      'service',
      'consumer',
      'outcome',
    ]);
    this.duration = metrics.histogram(
      'lgsp_service_call_duration_seconds',
      'Data-sharing calls: from the request to the answer, the call log write included',
      ['service'],
      DURATION_BUCKETS,
    );
  }

  observe(service: string, consumer: string, outcome: CallOutcome, seconds: number): void {
    this.calls.inc({ service, consumer, outcome });
    this.duration.observe({ service }, seconds);
  }
}
