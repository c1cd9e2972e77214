/** The ingest metrics of SPEC section 6, labelled by type and level only (bounded cardinality). */
import type { Metrics } from '../ops/metrics.ts';

export type IngestOutcome = 'accepted' | 'duplicate' | 'rejected';

export class IngestMetrics {
  private readonly receivedTotal;
  private readonly validationFailures;

  constructor(metrics: Metrics) {
    this.receivedTotal = metrics.counter('lgsp_messages_received_total', 'Messages received by the HTTP API', ['type', 'source_level', 'outcome']);
    this.validationFailures = metrics.counter('lgsp_validation_failures_total', 'Messages refused by schema validation', ['type']);
  }

  received(type: string, sourceLevel: string, outcome: IngestOutcome): void {
    this.receivedTotal.inc({ type, source_level: sourceLevel, outcome });
  }

  validationFailed(type: string): void {
    this.validationFailures.inc({ type });
  }
}
