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

describe('ConnectorLanes', () => {
  it('keeps one lane per registration, and replaces it when the registration changes', async () => {
    const { lanes, closed, states } = table();
    const first = entry('a');
    const lane = lanes.get(first);
    expect(lanes.get(first)).toBe(lane);
    const second = entry('a');
    const replaced = lanes.get(second);
    expect(replaced).not.toBe(lane);
    expect(replaced.entry).toBe(second);
    await Promise.resolve();
    expect(closed).toEqual([first]);
    expect(lanes.size).toBe(1);
    expect(await states()).toEqual({ a: 0 });
  });

  it('retires the lane of a deregistered connector at once, breaker gauge included', async () => {
    const { lanes, change, closed, states } = table();
    const a = entry('a');
    change('a', a);
    lanes.get(a);
    lanes.get(entry('b'));
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
    const lane = lanes.get(a);
    change('a', a); // the registry emitted, but holds the same registration
    expect(lanes.get(a)).toBe(lane);
    change('a', entry('a'));
    await Promise.resolve();
    expect(closed).toEqual([a]);
    expect(lanes.size).toBe(0);
  });

  it('shows each breaker’s state, and closes every lane and stops following the registry on close', async () => {
    const { lanes, closed, states, listeners } = table();
    const a = lanes.get(entry('a'));
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
  });
});
