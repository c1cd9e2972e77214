/** The local broker could not be provisioned or started; the message says what to do next. */
export class LocalBrokerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalBrokerError';
  }
}
