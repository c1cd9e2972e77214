import { LgspError } from '../contract/errors.ts';

/**
 * The configured brokers did not answer at start; the message names them and what to do.
 * Retriable: the same start may succeed once the cluster is up (the process still exits 69).
 */
export class KafkaUnreachableError extends LgspError<'kafka-unreachable'> {
  constructor(brokers: readonly string[], cause: unknown) {
    super(
      'kafka-unreachable',
      `Cannot reach Kafka at ${brokers.join(',')} (KAFKA_BROKERS): ${(cause as Error).message}. ` +
        'Check the address and that the cluster is up, or unset KAFKA_BROKERS to start a local broker.',
      { cause, retriable: true },
    );
  }
}
