/** The honest baselines' writes (`honest-baseline.ts`, `honest-service-proxy.ts`): group commit with plain kafkajs. */
import type { Message, Producer } from 'kafkajs';

/** At most this many value bytes a produce, so one partition's record batch stays under the broker's 1 MB `message.max.bytes`. */
const MAX_SEND_BYTES = 512 * 1024;

/**
 * Sends queued records together: whatever is queued while a produce is in flight goes in the next
 * one, in produce requests of at most `MAX_SEND_BYTES`. Resolves each caller once its records are
 * acknowledged by all in-sync replicas. One produce at a time a topic also keeps kafkajs's
 * idempotent sequence numbers in order.
 */
export function groupSender(producer: Producer, topic: string): (messages: Message[]) => Promise<void> {
  let queue: { messages: Message[]; resolve: () => void; reject: (err: Error) => void }[] = [];
  let sending = false;
  const flush = async () => {
    sending = true;
    while (queue.length > 0) {
      const group = queue;
      queue = [];
      try {
        for (const messages of chunks(group.flatMap((g) => g.messages))) await producer.send({ topic, acks: -1, messages });
        group.forEach((g) => g.resolve());
      } catch (err) {
        group.forEach((g) => g.reject(err as Error));
      }
    }
    sending = false;
  };
  return (messages) =>
    new Promise((resolve, reject) => {
      queue.push({ messages, resolve, reject });
      if (!sending) void flush();
    });
}

/** `messages` in runs of at most `MAX_SEND_BYTES` of values (at least one record each). */
function* chunks(messages: Message[]): Generator<Message[]> {
  let run: Message[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.value?.length ?? 0;
    if (run.length > 0 && bytes + size > MAX_SEND_BYTES) {
      yield run;
      [run, bytes] = [[], 0];
    }
    run.push(m);
    bytes += size;
  }
  if (run.length > 0) yield run;
}
