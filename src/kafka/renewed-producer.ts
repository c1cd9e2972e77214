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

/** One producer and the sends using it; a retired one is disconnected once its last send is done. */
interface Lease {
  readonly producer: Promise<Producer>;
  uses: number;
  retired: boolean;
}

export class RenewedProducer {
  private current: Lease | undefined;
  private readonly make: () => Producer;

  constructor(make: () => Producer) {
    this.make = make;
  }

  /** Connects now, so a hub that cannot write does not start. */
  async connect(): Promise<void> {
    await this.lease().producer;
  }

  /**
   * Runs `work` with the producer. When it throws, later uses get a new producer; sends already
   * running on the old one (other partitions) finish first, and then it is disconnected.
   */
  async use<T>(work: (producer: Producer) => Promise<T>): Promise<T> {
    const lease = this.lease();
    lease.uses++;
    try {
      return await work(await lease.producer);
    } catch (err) {
      this.retire(lease);
      throw err;
    } finally {
      lease.uses--;
      if (lease.retired && lease.uses === 0) void disconnect(lease);
    }
  }

  async close(): Promise<void> {
    const lease = this.current;
    this.current = undefined;
    if (lease) await disconnect(lease);
  }

  private lease(): Lease {
    if (!this.current) {
      const producer = this.make();
      const lease: Lease = { producer: producer.connect().then(() => producer), uses: 0, retired: false };
      lease.producer.catch(() => this.retire(lease));
      this.current = lease;
    }
    return this.current;
  }

  private retire(lease: Lease): void {
    lease.retired = true;
    if (this.current === lease) this.current = undefined;
  }
}

async function disconnect(lease: Lease): Promise<void> {
  await (await lease.producer.catch(() => undefined))?.disconnect().catch(() => undefined);
}

/** An idempotent producer, renewed after a failure; `config` adds to it. */
export function idempotentProducer(kafka: Kafka, config: ProducerConfig = {}): RenewedProducer {
  return new RenewedProducer(() => kafka.producer({ ...config, idempotent: true }));
}
