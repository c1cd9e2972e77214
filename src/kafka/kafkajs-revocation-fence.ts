/**
 * kafkajs (2.2.4) has no equivalent of the Java client's `onPartitionsRevoked`: it rejoins its
 * group on a rebalance as soon as the `eachBatch` calls it is running return, and it leaves the
 * group (on a stop, and when it restarts a consumer after a crash) once they return. A consumer
 * that carries a batch on in the background (the delivery stage does, so that one slow recipient
 * does not hold the next fetch back) would still be delivering when its partitions move, and the
 * new owner would send the same records again. A fence lets it finish first: registered for a
 * group member, it is awaited before that member joins again or leaves, and the member keeps
 * heartbeating meanwhile so the coordinator does not drop it (during a rebalance it answers
 * `REBALANCE_IN_PROGRESS`, but counts the heartbeat). The rest of the group waits, as the Java
 * client's members wait for a revocation.
 *
 * The patch of kafkajs's `ConsumerGroup` is applied once, when this module is first imported.
 */
import { createRequire } from 'node:module';

const HEARTBEAT_EVERY_MS = 1_000;

interface ConsumerGroup {
  memberId: string | null;
  joinAndSync(): Promise<void>;
  leave(): Promise<void>;
  heartbeat(options: { interval: number }): Promise<void>;
}

const fences = new Map<string, () => Promise<void>>();

/**
 * Until the returned function is called, `memberId` joins its group again, or leaves it, only once
 * `drain()` resolves.
 */
export function fenceRevocations(memberId: string, drain: () => Promise<void>): () => void {
  fences.set(memberId, drain);
  return () => {
    if (fences.get(memberId) === drain) fences.delete(memberId);
  };
}

const require = createRequire(import.meta.url);
const { prototype } = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: ConsumerGroup };
for (const method of ['joinAndSync', 'leave'] as const) {
  const original = prototype[method];
  prototype[method] = async function (this: ConsumerGroup) {
    const drain = this.memberId ? fences.get(this.memberId) : undefined;
    if (drain) await heartbeatUntil(this, drain());
    return original.call(this);
  };
}

/** A failed drain does not stop the join: the member's work is then at-least-once, as without a fence. */
async function heartbeatUntil(group: ConsumerGroup, drained: Promise<void>): Promise<void> {
  let finished = false;
  const settled = drained.catch(() => undefined).then(() => void (finished = true));
  while (!finished) {
    await Promise.race([settled, new Promise((r) => setTimeout(r, HEARTBEAT_EVERY_MS).unref())]);
    if (!finished) await group.heartbeat({ interval: 0 }).catch(() => undefined);
  }
}
