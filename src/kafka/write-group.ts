/** The records of one produce request, taken off a queue of writes that wait for it. */

/** Beyond this, queued records wait for the next write: one produce request stays well under the broker's limits. */
const MAX_WRITE_BYTES = 4 * 1024 * 1024;

/**
 * Takes off the front of `queue` the items whose sizes (`bytesOf`) add up to at most `maxBytes`,
 * and always at least one (an item larger than that goes alone).
 */
export function takeWriteGroup<T>(queue: T[], bytesOf: (item: T) => number, maxBytes = MAX_WRITE_BYTES): T[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && (count === 0 || bytes + bytesOf(queue[count]!) <= maxBytes)) {
    bytes += bytesOf(queue[count]!);
    count++;
  }
  return queue.splice(0, count);
}
