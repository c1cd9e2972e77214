/**
 * One lane per connector, behind its own opossum circuit breaker: the delivery senders
 * (`senders.ts`) and the data-sharing provider lanes (`src/services/provider-lanes.ts`). A lane
 * is made from the connector's registration on first use and retired as soon as that
 * registration changes (new endpoint, TLS material, rotated token: the next use makes a new one)
 * or is deleted: no new run takes it, its gauge series goes at once, and once the runs holding it
 * have ended its breaker is shut down and its connections closed, so a deregistered connector
 * leaves neither sockets nor a breaker series behind. The gauge shows the breaker of each
 * connector's current lane: 0 closed, 1 half-open, 2 open.
 */
import type CircuitBreaker from 'opossum';
import type { Gauge } from 'prom-client';
import type { ConnectorEntry, RegistryChange } from '../registry/registry-store.ts';

const BREAKER_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

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

/** A lane, how many runs are using it, and whether it was retired (it closes when the last run ends). */
interface Held<L> {
  readonly lane: L;
  users: number;
  retired: boolean;
}

export class ConnectorLanes<L extends ConnectorLane> {
  private readonly lanes = new Map<string, Held<L>>();
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
      if (change.kind === 'connector' && this.lanes.get(change.id)?.lane.entry !== registry.connector(change.id)) this.retire(change.id);
    });
  }

  /**
   * Runs `run` on the lane of `entry`'s connector, made anew when none is open for this
   * registration. A lane retired meanwhile finishes the runs that hold it (a delivery waiting for
   * a slot, a call in flight) and closes when the last one ends.
   */
  async use<T>(entry: ConnectorEntry, run: (lane: L) => Promise<T>): Promise<T> {
    const held = this.held(entry);
    held.users++;
    try {
      return await run(held.lane);
    } finally {
      if (--held.users === 0 && held.retired) shutQuietly(held.lane);
    }
  }

  /** How many lanes are open. */
  get size(): number {
    return this.lanes.size;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    const all = [...this.lanes.entries()];
    this.lanes.clear();
    for (const [id] of all) this.gauge.remove({ [this.label]: id });
    await Promise.allSettled(all.map(([, held]) => shut(held.lane)));
  }

  private held(entry: ConnectorEntry): Held<L> {
    const id = entry.manifest.id;
    const current = this.lanes.get(id);
    if (current?.lane.entry === entry) return current;
    if (current) this.retire(id);
    const held: Held<L> = { lane: this.open(entry), users: 0, retired: false };
    // A retired lane's breaker may still move (its last calls end): the gauge shows the current lane's only.
    const show = (state: number) => {
      if (this.lanes.get(id) === held) this.gauge.set({ [this.label]: id }, state);
    };
    held.lane.breaker.on('open', () => show(BREAKER_STATE.open));
    held.lane.breaker.on('halfOpen', () => show(BREAKER_STATE.halfOpen));
    held.lane.breaker.on('close', () => show(BREAKER_STATE.closed));
    this.lanes.set(id, held);
    show(BREAKER_STATE.closed);
    return held;
  }

  private retire(id: string): void {
    const held = this.lanes.get(id);
    if (!held) return;
    this.lanes.delete(id);
    this.gauge.remove({ [this.label]: id });
    held.retired = true;
    if (held.users === 0) shutQuietly(held.lane);
  }
}

async function shut(lane: ConnectorLane): Promise<void> {
  lane.breaker.shutdown();
  await lane.close();
}

function shutQuietly(lane: ConnectorLane): void {
  void shut(lane).catch(() => undefined); // sockets that cannot close are gone already
}
