/** The configured brokers did not answer at start; the message names them and what to do. */
export class KafkaUnreachableError extends Error {
  constructor(brokers: readonly string[], cause: unknown) {
    super(
      `Cannot reach Kafka at ${brokers.join(',')} (KAFKA_BROKERS): ${(cause as Error).message}. ` +
        'Check the address and that the cluster is up, or unset KAFKA_BROKERS to start a local broker.',
      { cause },
    );
    this.name = 'KafkaUnreachableError';
  }
}
