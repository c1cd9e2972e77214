/**
 * One lane per connector, behind its own opossum circuit breaker: the delivery senders
 * (`senders.ts`) and the data-sharing provider lanes (`src/services/provider-lanes.ts`). A lane
 * is made from the connector's registration on first use and retired (its breaker shut down, its
 * connections closed) as soon as that registration changes (new endpoint, TLS material, rotated
 * token: the next use makes a new one) or is deleted, so a deregistered connector leaves neither
 * sockets nor a breaker gauge behind. The gauge shows each breaker: 0 closed, 1 half-open, 2 open.
 */
import type CircuitBreaker from 'opossum';
import type { Gauge } from 'prom-client';
import type { ConnectorEntry, RegistryChange } from '../registry/registry-store.ts';

export const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

export interface ConnectorLane {
  /** The registration the lane was made from. */
  readonly entry: ConnectorEntry;
  readonly breaker: CircuitBreaker;
  /** Closes the lane's connections. */
  close(): Promise<void>;
}

/** What a lane table follows: the registry's changes, and the registration now held. */
export interface LaneRegistry {
  onChange(listener: (change: RegistryChange) => void): () => void;
  connector(id: string): ConnectorEntry | undefined;
}

export class ConnectorLanes<L extends ConnectorLane> {
  private readonly lanes = new Map<string, L>();
  private readonly open: (entry: ConnectorEntry) => L;
  private readonly gauge: Gauge<string>;
  private readonly label: string;
  private readonly unsubscribe: () => void;

  /** `gauge` shows each lane's breaker under the label `label` (the connector id). */
  constructor(registry: LaneRegistry, open: (entry: ConnectorEntry) => L, gauge: Gauge<string>, label: string) {
    this.open = open;
    this.gauge = gauge;
    this.label = label;
    this.unsubscribe = registry.onChange((change) => {
      if (change.kind === 'connector' && this.lanes.get(change.id)?.entry !== registry.connector(change.id)) this.retire(change.id);
    });
  }

  /** The lane of `entry`'s connector, made anew when none is open for this registration. */
  get(entry: ConnectorEntry): L {
    const id = entry.manifest.id;
    const current = this.lanes.get(id);
    if (current?.entry === entry) return current;
    if (current) this.retire(id);
    const lane = this.open(entry);
    const show = (state: number) => this.gauge.set({ [this.label]: id }, state);
    lane.breaker.on('open', () => show(BREAKER_STATE.open));
    lane.breaker.on('halfOpen', () => show(BREAKER_STATE.halfOpen));
    lane.breaker.on('close', () => show(BREAKER_STATE.closed));
    show(BREAKER_STATE.closed);
    this.lanes.set(id, lane);
    return lane;
  }

  /** How many lanes are open. */
  get size(): number {
    return this.lanes.size;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await Promise.allSettled([...this.lanes.values()].map(shut));
    this.lanes.clear();
  }

  private retire(id: string): void {
    const lane = this.lanes.get(id);
    if (!lane) return;
    this.lanes.delete(id);
    this.gauge.remove({ [this.label]: id });
    void shut(lane).catch(() => undefined); // sockets that cannot close are gone already
  }
}

async function shut(lane: ConnectorLane): Promise<void> {
  lane.breaker.shutdown();
  await lane.close();
}
