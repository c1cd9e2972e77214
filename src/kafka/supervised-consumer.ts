/**
 * A consumer that survives what kafkajs gives up on. kafkajs restarts a consumer after a retriable
 * error, but a non-retriable one (seen when the broker restarts: "Failed to find group
 * coordinator") stops it for good. Here such a crash makes a new consumer with the same setup,
 * after a growing pause, until `stop()`. Every hub consumer runs this way: an outage delays work,
 * it never ends it.
 */
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';

export interface SupervisedConsumer {
  /** "consuming", or what it waits for (joining its group, a new start after a crash). */
  status(): string;
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  /** Hears why a new consumer is being made (for the log). */
  onRestart?: (err: unknown) => void;
  /**
   * Return before the consumer has joined its group, and make the first one like any later one
   * (a failure is retried, not thrown). A group join waits for every member the coordinator knows
   * to rejoin: after a crash, for the dead member's session to end (kafkajs: 30 s), which must not
   * keep the rest of the hub from starting.
   */
  joinInBackground?: boolean;
}

/**
 * kafkajs gives a consumer 5 retries unless told otherwise, whatever its client's budget; with the
 * hub's 10 ms first backoff that is 0.3 s, so a broker's death crashed every consumer at once (each
 * then left and rejoined its group, and the views' new members waited out their old ones'
 * sessions). The client's own budget, 12 retries up to 10 s apart, outlasts a partition leader's
 * failover.
 */
const CONSUMER_RETRIES = 12;
/**
 * How long a group waits for a member that stopped heartbeating before it rebalances without it
 * (kafkajs: 30 s). A killed instance's partitions wait that long; so does a consumer that crashed
 * and could not leave its group (its coordinator was on a broker that died): its new member waits
 * for the old one's session to end, and a view read to its end waits with it. A shorter session
 * is safe because no hub consumer's fetch loop, which heartbeats, waits for slow work: views apply
 * records in memory, and the delivery stage runs its batches in the background (its join fence
 * heartbeats while it waits).
 */
const SESSION = { sessionTimeout: 10_000, heartbeatInterval: 1_000 };
const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 15_000;
const STOP_WAITS_FOR_JOIN_MS = 10_000;

/** `setup` connects nothing itself: it subscribes, registers event listeners and calls `run`. */
export async function superviseConsumer(
  kafka: Kafka,
  config: ConsumerConfig,
  setup: (consumer: Consumer) => Promise<void>,
  { onRestart = () => undefined, joinInBackground = false }: SuperviseOptions = {},
): Promise<SupervisedConsumer> {
  let current: Consumer | undefined;
  let stopped = false;
  let pause = FIRST_PAUSE_MS;
  let status = 'starting';

  const launch = async (): Promise<void> => {
    const consumer = kafka.consumer({ ...SESSION, ...config, retry: { retries: CONSUMER_RETRIES, ...config.retry } });
    current = consumer;
    status = `joining consumer group ${config.groupId} since ${new Date().toISOString()}`;
    consumer.on(consumer.events.GROUP_JOIN, () => void (status = 'consuming'));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (stopped || current !== consumer) return;
      status = `restarting after: ${payload.error.message}`;
      if (payload.restart) return;
      onRestart(payload.error);
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(relaunch);
    });
    await consumer.connect();
    await setup(consumer);
    // stop() came while this one was joining: it may have missed it.
    if (stopped) await consumer.disconnect();
    pause = FIRST_PAUSE_MS;
  };

  const failed = async (err: unknown): Promise<void> => {
    onRestart(err);
    status = `restarting after: ${(err as Error).message}`;
    await current?.disconnect().catch(() => undefined);
  };

  const relaunch = async (): Promise<void> => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      if (stopped) return;
      try {
        await launch();
        return;
      } catch (err) {
        await failed(err);
      }
    }
  };

  let background: Promise<void> | undefined;
  if (joinInBackground)
    background = launch().catch(async (err: unknown) => {
      if (stopped) return;
      await failed(err);
      await relaunch();
    });
  else await launch();
  return {
    status: () => status,
    stop: async () => {
      stopped = true;
      // kafkajs cannot abort a join, and a consumer disconnected while joining stays a member
      // after it: let the join end first (a fresh group's takes a moment; after a crash it waits
      // for the dead member's session, and past the bound that member's own session ends it).
      if (background) await Promise.race([background, new Promise((r) => setTimeout(r, STOP_WAITS_FOR_JOIN_MS).unref())]);
      await current?.disconnect();
    },
  };
}
