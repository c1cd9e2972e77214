/**
 * One lane per provider connector for data-sharing calls: its kit transport (the connector's TLS
 * settings, the outbound policy, the hub's cap on an answer's size) behind its own opossum
 * circuit breaker, so a national database that is down is not called again and again by every
 * commune at once, and recovers by itself (half-open after `resetTimeoutMs`). The breaker's
 * options are the provider's manifest `delivery.breaker`, as for deliveries; what counts against
 * it is what SPEC §3 counts: timeouts, connection and TLS failures, 408, 429 and 5xx answers.
 * A registration change (new TLS material, rotated token) replaces the lane.
 */
import CircuitBreaker from 'opossum';
import { kindContext } from '../../connectors/kit/kind-context.ts';
import type { Exchange, Transport, TransportRequest } from '../../connectors/kit/transport.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import { breakerOptions } from '../delivery/breaker-options.ts';
import type { ConnectorEntry } from '../registry/registry-store.ts';

/** What became of a call: the exchange, or the breaker's refusal with the seconds until it tries again. */
export type ProviderResult = Exchange | { readonly breakerOpen: true; readonly retryAfterSeconds: number };

const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** An exchange the breaker counts as the provider's failure (it is still the call's result). */
class ProviderFailure extends Error {
  readonly exchange: Exchange;

  constructor(exchange: Exchange) {
    super('provider failure');
    this.exchange = exchange;
  }
}

/** Whether an exchange says the provider is in trouble (SPEC §3's retriable answers). */
function countsAgainstProvider(exchange: Exchange): boolean {
  if ('failed' in exchange) return !('refused' in exchange.failed && exchange.failed.refused !== undefined); // a refusal by the hub's own outbound policy is not the provider's fault
  const { status } = exchange.answered;
  return status === 408 || status === 429 || status >= 500;
}

interface Lane {
  readonly entry: ConnectorEntry;
  readonly transport: Transport;
  readonly breaker: CircuitBreaker<[TransportRequest, number], Exchange>;
  /** `Date.now()` when the breaker last opened. */
  openedAt: number;
}

export class ProviderLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly kinds: ConnectorKinds;
  private readonly maxResponseBytes: number;
  private readonly breakerState;

  constructor(kinds: ConnectorKinds, metrics: Metrics, maxResponseBytes: number) {
    this.kinds = kinds;
    this.maxResponseBytes = maxResponseBytes;
    this.breakerState = metrics.gauge(
      'lgsp_service_provider_breaker_state',
      'Circuit breaker per data-sharing provider connector: 0 closed, 1 half-open, 2 open',
      ['provider'],
    );
  }

  /** Sends `request` to the provider `entry` within `timeoutMs`, through its breaker. */
  async call(entry: ConnectorEntry, request: TransportRequest, timeoutMs: number): Promise<ProviderResult> {
    const lane = this.lane(entry);
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
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.lanes.values()].map((lane) => retire(lane)));
    this.lanes.clear();
  }

  private lane(entry: ConnectorEntry): Lane {
    const id = entry.manifest.id;
    const current = this.lanes.get(id);
    if (current?.entry === entry) return current;
    if (current) void retire(current);
    const adapter = this.kinds.get(entry.manifest.kind);
    if (!adapter) throw new Error(`connector kind "${entry.manifest.kind}" is not known to this hub`);
    // The kind's context makes the transport from the connector's TLS settings; its cap is the services'.
    const transport = kindContext(adapter, entry.manifest, {
      signingKey: entry.credential.signingKey,
      outbound: this.kinds.outbound,
      maxResponseBytes: this.maxResponseBytes,
    }).transport;
    const options = entry.manifest.delivery.breaker;
    const breaker = new CircuitBreaker(
      async (request: TransportRequest, timeoutMs: number) => {
        const exchange = await transport.attempt(timeoutMs, (scope) => scope.send(request));
        if (countsAgainstProvider(exchange)) throw new ProviderFailure(exchange);
        return exchange;
      },
      {
        ...breakerOptions(options),
        errorFilter: (err: unknown) => !(err instanceof ProviderFailure), // a fault of the hub's own is not the provider's
      },
    );
    const lane: Lane = { entry, transport, breaker, openedAt: 0 };
    breaker.on('open', () => {
      lane.openedAt = Date.now();
      this.breakerState.set({ provider: id }, BREAKER_STATE.open);
    });
    breaker.on('halfOpen', () => this.breakerState.set({ provider: id }, BREAKER_STATE.halfOpen));
    breaker.on('close', () => this.breakerState.set({ provider: id }, BREAKER_STATE.closed));
    this.breakerState.set({ provider: id }, BREAKER_STATE.closed);
    this.lanes.set(id, lane);
    return lane;
  }
}

async function retire(lane: Lane): Promise<void> {
  lane.breaker.shutdown();
  await lane.transport.close();
}
