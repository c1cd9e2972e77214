/**
 * One lane per provider connector for data-sharing calls: its kit transport (the connector's TLS
 * settings, the outbound policy, the hub's cap on an answer's size) behind its own opossum
 * circuit breaker, so a national database that is down is not called again and again by every
 * commune at once, and recovers by itself (half-open after `resetTimeoutMs`). The breaker's
 * options are the provider's manifest `delivery.breaker`, as for deliveries; what counts against
 * it is what SPEC §3 counts, as `classify` says for deliveries: timeouts, connection and TLS
 * failures, 408, 429 and 5xx answers. A registration change (new TLS material, rotated token)
 * replaces the lane; a deregistration retires it (`connector-lanes.ts`).
 */
import CircuitBreaker from 'opossum';
import { classify } from '../../connectors/kit/classify.ts';
import { kindContext } from '../../connectors/kit/kind-context.ts';
import type { Exchange, TransportRequest } from '../../connectors/kit/transport.ts';
import { breakerOptions } from '../delivery/breaker-options.ts';
import { ConnectorLanes, type ConnectorLane, type LaneRegistry } from '../delivery/connector-lanes.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { ConnectorEntry } from '../registry/registry-store.ts';

/** What became of a call: the exchange, or the breaker's refusal with the seconds until it tries again. */
export type ProviderResult = Exchange | { readonly breakerOpen: true; readonly retryAfterSeconds: number };

/** An exchange the breaker counts as the provider's failure (it is still the call's result). */
class ProviderFailure extends Error {
  readonly exchange: Exchange;

  constructor(exchange: Exchange) {
    super('provider failure');
    this.exchange = exchange;
  }
}

interface Lane extends ConnectorLane {
  readonly breaker: CircuitBreaker<[TransportRequest, number], Exchange>;
  /** `Date.now()` when the breaker last opened. */
  openedAt: number;
}

export class ProviderLanes {
  private readonly lanes: ConnectorLanes<Lane>;
  private readonly kinds: ConnectorKinds;
  private readonly maxResponseBytes: number;

  constructor(registry: LaneRegistry, kinds: ConnectorKinds, metrics: Metrics, maxResponseBytes: number) {
    this.kinds = kinds;
    this.maxResponseBytes = maxResponseBytes;
    const breakerState = metrics.gauge(
      'lgsp_service_provider_breaker_state',
      'Circuit breaker per data-sharing provider connector: 0 closed, 1 half-open, 2 open',
      ['provider'],
    );
    this.lanes = new ConnectorLanes(registry, (entry) => this.open(entry), breakerState, 'provider');
  }

  /** Sends `request` to the provider `entry` within `timeoutMs`, through its breaker. */
  async call(entry: ConnectorEntry, request: TransportRequest, timeoutMs: number): Promise<ProviderResult> {
    return this.lanes.use(entry, async (lane) => {
      try {
        return await lane.breaker.fire(request, timeoutMs);
      } catch (err) {
        if (err instanceof ProviderFailure) return err.exchange;
        if ((err as { code?: string }).code === 'EOPENBREAKER') {
          const resetMs = entry.manifest.delivery.breaker.resetTimeoutMs;
          return { breakerOpen: true, retryAfterSeconds: Math.max(1, Math.ceil((lane.openedAt + resetMs - Date.now()) / 1000)) };
        }
        throw err;
      }
    });
  }

  close(): Promise<void> {
    return this.lanes.close();
  }

  private open(entry: ConnectorEntry): Lane {
    const adapter = this.kinds.get(entry.manifest.kind);
    if (!adapter) throw new Error(`connector kind "${entry.manifest.kind}" is not known to this hub`);
    // The kind's context makes the transport from the connector's TLS settings; its cap is the services'.
    const transport = kindContext(adapter, entry.manifest, {
      signingKey: entry.credential.signingKey,
      outbound: this.kinds.outbound,
      maxResponseBytes: this.maxResponseBytes,
    }).transport;
    const breaker = new CircuitBreaker(
      async (request: TransportRequest, timeoutMs: number) => {
        const exchange = await transport.attempt(timeoutMs, (scope) => scope.send(request));
        // What counts against the provider is what a delivery retries (a refusal by the hub's own outbound policy is not its fault).
        const classified = classify(exchange, { response: () => undefined }); // only its outcome is read
        if ('outcome' in classified && classified.outcome === 'retry') throw new ProviderFailure(exchange);
        return exchange;
      },
      {
        ...breakerOptions(entry.manifest.delivery.breaker),
        errorFilter: (err: unknown) => !(err instanceof ProviderFailure), // a fault of the hub's own is not the provider's
      },
    );
    const lane: Lane = { entry, breaker, openedAt: 0, close: () => transport.close() };
    breaker.on('open', () => (lane.openedAt = Date.now()));
    return lane;
  }
}
