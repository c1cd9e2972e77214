import CircuitBreaker from 'opossum';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../ops/metrics.ts';
import type { ConnectorEntry, RegistryChange } from '../registry/registry-store.ts';
import { ConnectorLanes, type ConnectorLane } from './connector-lanes.ts';

/** A registration: only its identity (a new object per version) and id matter to the table. */
const entry = (id: string) => ({ manifest: { id } }) as unknown as ConnectorEntry;

function table() {
  const held = new Map<string, ConnectorEntry>();
  const listeners = new Set<(change: RegistryChange) => void>();
  const registry = {
    onChange: (listener: (change: RegistryChange) => void) => (listeners.add(listener), () => listeners.delete(listener)),
    connector: (id: string) => held.get(id),
  };
  /** The registry applies a change: `next` is the new registration, undefined when deleted. */
  const change = (id: string, next: ConnectorEntry | undefined) => {
    if (next) held.set(id, next);
    else held.delete(id);
    for (const listener of listeners) listener({ kind: 'connector', id });
  };
  const closed: ConnectorEntry[] = [];
  const metrics = new Metrics();
  const gauge = metrics.gauge('test_breaker_state', 'test', ['connector']);
  const lanes = new ConnectorLanes<ConnectorLane>(
    registry,
    (e) => ({ entry: e, breaker: new CircuitBreaker(async () => 'ok'), close: async () => void closed.push(e) }),
    gauge,
    'connector',
  );
  const states = async () =>
    Object.fromEntries((await metrics.registry.getSingleMetric('test_breaker_state')!.get()).values.map((v) => [v.labels.connector, v.value]));
  return { lanes, held, change, closed, states, listeners };
}

/** The lane `use` hands to a run that ends at once. */
const laneOf = (lanes: ConnectorLanes<ConnectorLane>, e: ConnectorEntry) => lanes.use(e, async (lane) => lane);

describe('ConnectorLanes', () => {
  it('keeps one lane per registration, and replaces it when the registration changes', async () => {
    const { lanes, closed, states } = table();
    const first = entry('a');
    const lane = await laneOf(lanes, first);
    expect(await laneOf(lanes, first)).toBe(lane);
    const second = entry('a');
    const replaced = await laneOf(lanes, second);
    expect(replaced).not.toBe(lane);
    expect(replaced.entry).toBe(second);
    await Promise.resolve();
    expect(closed).toEqual([first]);
    expect(lanes.size).toBe(1);
    lane.breaker.emit('open'); // the retired breaker no longer moves the gauge
    expect(await states()).toEqual({ a: 0 });
  });

  it('retires the lane of a deregistered connector at once, breaker gauge included', async () => {
    const { lanes, change, closed, states } = table();
    const a = entry('a');
    change('a', a);
    await laneOf(lanes, a);
    await laneOf(lanes, entry('b'));
    change('a', undefined);
    await Promise.resolve();
    expect(closed).toEqual([a]);
    expect(lanes.size).toBe(1);
    expect(await states()).toEqual({ b: 0 });
  });

  it('retires a lane whose registration changed before its next use, and keeps one the change does not touch', async () => {
    const { lanes, change, closed } = table();
    const a = entry('a');
    change('a', a);
    const lane = await laneOf(lanes, a);
    change('a', a); // the registry emitted, but holds the same registration
    expect(await laneOf(lanes, a)).toBe(lane);
    change('a', entry('a'));
    await Promise.resolve();
    expect(closed).toEqual([a]);
    expect(lanes.size).toBe(0);
  });

  it('lets the runs holding a retired lane finish on it, and closes it when the last one ends', async () => {
    const { lanes, change, closed, states } = table();
    const a = entry('a');
    change('a', a);
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = lanes.use(a, async (lane) => {
      await held;
      return lane.breaker.fire();
    });
    const waiting = lanes.use(a, (lane) => lane.breaker.fire());
    change('a', undefined);
    await Promise.resolve();
    expect(closed).toEqual([]); // still held
    expect(await states()).toEqual({});
    expect(await waiting).toBe('ok'); // the breaker still takes the runs that held the lane
    release();
    expect(await running).toBe('ok');
    await Promise.resolve();
    expect(closed).toEqual([a]);
  });

  it('shows each breaker’s state, and closes every lane and stops following the registry on close', async () => {
    const { lanes, closed, states, listeners } = table();
    const a = await laneOf(lanes, entry('a'));
    a.breaker.open();
    expect(await states()).toEqual({ a: 2 });
    a.breaker.emit('halfOpen');
    expect(await states()).toEqual({ a: 1 });
    a.breaker.close();
    expect(await states()).toEqual({ a: 0 });
    await lanes.close();
    expect(closed).toHaveLength(1);
    expect(listeners.size).toBe(0);
    expect(lanes.size).toBe(0);
    expect(await states()).toEqual({});
  });
});
