import { LgspError } from '../contract/errors.ts';

/** The local broker could not be provisioned or started; the message says what to do next. */
export class LocalBrokerError extends LgspError<'local-broker-failed'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('local-broker-failed', message, { cause: options?.cause });
  }
}
