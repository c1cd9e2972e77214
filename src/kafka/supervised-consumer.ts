/**
 * A consumer that survives what kafkajs gives up on. kafkajs restarts a consumer after a retriable
 * error, but a non-retriable one (seen when the broker restarts: "Failed to find group
 * coordinator") stops it for good. Here such a crash makes a new consumer with the same setup,
 * after a growing pause, until `stop()`. Every hub consumer runs this way: an outage delays work,
 * it never ends it.
 */
import type { Consumer, ConsumerConfig, Kafka } from 'kafkajs';

export interface SupervisedConsumer {
  stop(): Promise<void>;
}

const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 15_000;

/**
 * `setup` connects nothing itself: it subscribes, registers event listeners and calls `run`.
 * `onRestart` hears why a new consumer is being made (for the log).
 */
export async function superviseConsumer(
  kafka: Kafka,
  config: ConsumerConfig,
  setup: (consumer: Consumer) => Promise<void>,
  onRestart: (err: unknown) => void = () => undefined,
): Promise<SupervisedConsumer> {
  let current: Consumer | undefined;
  let stopped = false;
  let pause = FIRST_PAUSE_MS;

  const launch = async (): Promise<void> => {
    const consumer = kafka.consumer(config);
    current = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || stopped || current !== consumer) return;
      onRestart(payload.error);
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(relaunch);
    });
    await consumer.connect();
    await setup(consumer);
    pause = FIRST_PAUSE_MS;
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
        onRestart(err);
        await current?.disconnect().catch(() => undefined);
      }
    }
  };

  await launch();
  return {
    stop: async () => {
      stopped = true;
      await current?.disconnect();
    },
  };
}
