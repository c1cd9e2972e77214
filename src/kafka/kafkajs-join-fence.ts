/**
 * kafkajs (2.2.4) rejoins its group on a rebalance as soon as the `eachBatch` calls it is running
 * return; it has no equivalent of the Java client's `onPartitionsRevoked`. A consumer that carries
 * a batch on in the background (the delivery stage does, so that one slow recipient does not hold
 * the next fetch back) would still be delivering when its partitions move, and the new owner would
 * send the same records again. A fence lets it finish first: registered for a group member, it is
 * awaited before that member joins again, and the member keeps heartbeating meanwhile so the
 * coordinator does not drop it (it answers `REBALANCE_IN_PROGRESS`, but counts the heartbeat). The
 * rest of the group waits in the rebalance, as the Java client's members wait for a revocation.
 *
 * The patch of kafkajs's `ConsumerGroup` is applied once, when this module is first imported.
 */
import { createRequire } from 'node:module';

const HEARTBEAT_EVERY_MS = 3_000;

interface ConsumerGroup {
  memberId: string | null;
  joinAndSync(): Promise<void>;
  heartbeat(options: { interval: number }): Promise<void>;
}

const fences = new Map<string, () => Promise<void>>();

/** Until the returned function is called, `memberId` rejoins its group only once `drain()` resolves. */
export function fenceRejoins(memberId: string, drain: () => Promise<void>): () => void {
  fences.set(memberId, drain);
  return () => {
    if (fences.get(memberId) === drain) fences.delete(memberId);
  };
}

const require = createRequire(import.meta.url);
const ConsumerGroupClass = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: ConsumerGroup };
const joinAndSync = ConsumerGroupClass.prototype.joinAndSync;
ConsumerGroupClass.prototype.joinAndSync = async function (this: ConsumerGroup) {
  const drain = this.memberId ? fences.get(this.memberId) : undefined;
  if (drain) await heartbeatUntil(this, drain());
  return joinAndSync.call(this);
};

/** A failed drain does not stop the join: the member's work is then at-least-once, as without a fence. */
async function heartbeatUntil(group: ConsumerGroup, drained: Promise<void>): Promise<void> {
  let finished = false;
  const settled = drained.catch(() => undefined).then(() => void (finished = true));
  while (!finished) {
    await Promise.race([settled, new Promise((r) => setTimeout(r, HEARTBEAT_EVERY_MS).unref())]);
    if (!finished) await group.heartbeat({ interval: 0 }).catch(() => undefined);
  }
}
