/**
 * A kafkajs producer that is made anew after any failed use. Every hub producer is idempotent
 * (and some transactional), and kafkajs 2.2.4 gives a failed send's sequence numbers back
 * (`producer/sendMessages.js`), so its next send to that partition reuses them. If the broker had
 * written the failed send (its answer lost: a request timeout, a broker dying after the append),
 * it takes the next send with the same numbers for a retry of that one, answers it as written
 * and drops its records. A new producer has a new producer id (or, transactional, fences the old
 * one and aborts its open transaction), so its numbers start again.
 */
import type { Kafka, Producer, ProducerConfig } from 'kafkajs';

export class RenewedProducer {
  private current: Promise<Producer> | undefined;
  private readonly make: () => Producer;

  constructor(make: () => Producer) {
    this.make = make;
  }

  /** Connects now, so a hub that cannot write does not start. */
  async connect(): Promise<void> {
    await this.producer();
  }

  /** Runs `work` with the producer; when it throws, the next use gets a new producer. */
  async use<T>(work: (producer: Producer) => Promise<T>): Promise<T> {
    const current = this.producer();
    const producer = await current;
    try {
      return await work(producer);
    } catch (err) {
      if (this.current === current) this.current = undefined;
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    await (await current?.catch(() => undefined))?.disconnect();
  }

  private producer(): Promise<Producer> {
    if (!this.current) {
      const producer = this.make();
      const current = producer.connect().then(() => producer);
      current.catch(() => {
        if (this.current === current) this.current = undefined;
      });
      this.current = current;
    }
    return this.current;
  }
}

/** An idempotent producer, renewed after a failure; `config` adds to it. */
export function idempotentProducer(kafka: Kafka, config: ProducerConfig = {}): RenewedProducer {
  return new RenewedProducer(() => kafka.producer({ ...config, idempotent: true }));
}
