/**
 * One sender per recipient connector, made from its registration by its kind's adapter, behind
 * its own opossum circuit breaker and in-flight limit. Only `retry` outcomes (408, 429, 5xx,
 * timeouts, connection errors) count against the breaker: a refusal (other 4xx) is the message's
 * fault, not the endpoint's. While the breaker is open, deliveries are not attempted at all.
 * A registration change (new endpoint, rotated token) replaces the sender, a deletion retires it
 * (`connector-lanes.ts`).
 */
import CircuitBreaker from 'opossum';
import type { Delivery, DeliveryOutcome, KindLogger } from '../../connectors/kit/adapter.ts';
import { openSender } from '../../connectors/kit/kind-context.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { ConnectorEntry } from '../registry/registry-store.ts';
import { breakerOptions } from './breaker-options.ts';
import { ConnectorLanes, type ConnectorLane, type LaneRegistry } from './connector-lanes.ts';

/** An outcome, plus whether the breaker kept the attempt from being made. */
export type Attempted = DeliveryOutcome & { readonly breakerOpen?: boolean };

class RetryOutcome extends Error {
  readonly outcome: DeliveryOutcome;

  constructor(outcome: DeliveryOutcome) {
    super(outcome.outcome === 'retry' ? outcome.reason : 'retry');
    this.outcome = outcome;
  }
}

interface Lane extends ConnectorLane {
  readonly breaker: CircuitBreaker<[Delivery], DeliveryOutcome>;
  readonly slots: Semaphore;
}

export class Senders {
  private readonly lanes: ConnectorLanes<Lane>;
  private readonly kinds: ConnectorKinds;
  /** Handed to each kind (its lines carry the connector id); default: silent. */
  private readonly logger: KindLogger | undefined;

  constructor(registry: LaneRegistry, kinds: ConnectorKinds, metrics: Metrics, logger?: KindLogger) {
    this.kinds = kinds;
    this.logger = logger;
    const breakerState = metrics.gauge('lgsp_circuit_breaker_state', 'Circuit breaker per destination connector: 0 closed, 1 half-open, 2 open', ['connector']);
    this.lanes = new ConnectorLanes(registry, (entry) => this.open(entry), breakerState, 'connector');
  }

  /** Delivers through the connector's breaker. Throws `AdapterError` when the event cannot be encoded. */
  async deliver(entry: ConnectorEntry, delivery: Delivery): Promise<Attempted> {
    return this.lanes.use(entry, async (lane) => {
      await lane.slots.acquire();
      try {
        return await lane.breaker.fire(delivery);
      } catch (err) {
        if (err instanceof RetryOutcome) return err.outcome;
        if ((err as { code?: string }).code === 'EOPENBREAKER')
          return { outcome: 'retry', failure: 'breaker-open', reason: 'circuit breaker open', breakerOpen: true };
        throw err;
      } finally {
        lane.slots.release();
      }
    });
  }

  close(): Promise<void> {
    return this.lanes.close();
  }

  private open(entry: ConnectorEntry): Lane {
    const adapter = this.kinds.get(entry.manifest.kind);
    // The signing key lives in the registry, never in a manifest an operator sees.
    const logger = this.logger && childOf(this.logger, entry.manifest.id);
    const hub = { signingKey: entry.credential.signingKey, outbound: this.kinds.outbound, ...(logger ? { logger } : {}) };
    const sender = adapter && openSender(adapter, entry.manifest, hub);
    if (!sender) throw new Error(`connector kind "${entry.manifest.kind}" cannot deliver`);
    const { breaker: options, maxInFlight } = entry.manifest.delivery;
    const breaker = new CircuitBreaker(
      async (delivery: Delivery) => {
        const outcome = await sender.deliver(delivery);
        if (outcome.outcome === 'retry') throw new RetryOutcome(outcome);
        return outcome;
      },
      {
        ...breakerOptions(options),
        errorFilter: (err: unknown) => !(err instanceof RetryOutcome), // encode errors are not the endpoint's fault
      },
    );
    return { entry, breaker, slots: new Semaphore(maxInFlight), close: () => sender.close() };
  }
}

/** `logger` with the connector id on every line (pino's `child` when it has one). */
function childOf(logger: KindLogger, connector: string): KindLogger {
  const child = (logger as { child?: (bindings: object) => KindLogger }).child;
  return typeof child === 'function' ? child.call(logger, { connector }) : logger;
}

/** At most `size` deliveries in flight to one connector (`delivery.maxInFlight`). */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
