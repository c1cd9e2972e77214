import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { RenewedProducer } from './renewed-producer.ts';

/** Producers that record what happened to them; the `failConnect`-th one made cannot connect. */
function producers(failConnect?: number) {
  const made: { id: number; connected: boolean; disconnected: boolean }[] = [];
  const make = () => {
    const state = { id: made.length + 1, connected: false, disconnected: false };
    made.push(state);
    return {
      id: state.id,
      connect: async () => {
        if (state.id === failConnect) throw new Error('broker unreachable');
        state.connected = true;
      },
      disconnect: async () => void (state.disconnected = true),
    } as unknown as Producer;
  };
  return { made, make };
}
const idOf = (producer: Producer) => (producer as unknown as { id: number }).id;

describe('RenewedProducer', () => {
  it('keeps its producer while sends succeed', async () => {
    const { made, make } = producers();
    const renewed = new RenewedProducer(make);
    expect(await renewed.use(async (p) => idOf(p))).toBe(1);
    expect(await renewed.use(async (p) => idOf(p))).toBe(1);
    expect(made).toHaveLength(1);
  });

  it('drops a producer whose send failed, so the next send numbers its records anew', async () => {
    const { made, make } = producers();
    const renewed = new RenewedProducer(make);
    await expect(renewed.use(() => Promise.reject(new Error('request timed out')))).rejects.toThrow('request timed out');
    expect(made[0]).toMatchObject({ disconnected: true });
    expect(await renewed.use(async (p) => idOf(p))).toBe(2);
  });

  it('tries a new producer after one could not connect', async () => {
    const { make } = producers(1);
    const renewed = new RenewedProducer(make);
    await expect(renewed.connect()).rejects.toThrow('broker unreachable');
    expect(await renewed.use(async (p) => idOf(p))).toBe(2);
  });

  it('disconnects its producer on close', async () => {
    const { made, make } = producers();
    const renewed = new RenewedProducer(make);
    await renewed.connect();
    await renewed.close();
    expect(made[0]).toMatchObject({ connected: true, disconnected: true });
  });

  it('lets a send in flight on a failed producer finish, then disconnects that producer', async () => {
    const { made, make } = producers();
    const renewed = new RenewedProducer(make);
    let finishOther!: () => void;
    const other = renewed.use((p) => new Promise<number>((resolve) => (finishOther = () => resolve(idOf(p)))));
    await expect(renewed.use(() => Promise.reject(new Error('not leader')))).rejects.toThrow('not leader');
    expect(made[0]).toMatchObject({ disconnected: false });
    expect(await renewed.use(async (p) => idOf(p))).toBe(2);
    finishOther();
    expect(await other).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(made[0]).toMatchObject({ disconnected: true });
    expect(made[1]).toMatchObject({ disconnected: false });
  });
});
