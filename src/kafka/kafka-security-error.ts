/**
 * Kafka answered, but refused who we are or we refused who it is: a wrong SASL user or password,
 * or a broker certificate that KAFKA_SSL_CA_FILE does not vouch for. Not retriable: the same
 * configuration fails the same way. The hub prints the message as one line and exits 78.
 */
import { LgspError } from '../contract/errors.ts';
import type { KafkaSecurity } from './kafka-security.ts';

export const KAFKA_SECURITY_ERROR_CODES = [
  /** The broker answered SASL_AUTHENTICATION_FAILED for KAFKA_SASL_USERNAME/PASSWORD. */
  'kafka-sasl-refused',
  /** The broker's TLS certificate is not signed by KAFKA_SSL_CA_FILE (or the system's roots). */
  'kafka-tls-untrusted',
] as const;

export type KafkaSecurityErrorCode = (typeof KAFKA_SECURITY_ERROR_CODES)[number];

export class KafkaSecurityError extends LgspError<KafkaSecurityErrorCode> {}

/** Node's codes for a certificate chain or name it cannot verify. */
const UNTRUSTED =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The `KafkaSecurityError` that `err` (a kafkajs error, or one it wraps) amounts to, if any. */
export function asSecurityError(err: unknown, security: KafkaSecurity): KafkaSecurityError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; depth++) {
    const { name, type, code } = e as Error & { type?: string; code?: unknown };
    if (name === 'KafkaJSSASLAuthenticationError' || type === 'SASL_AUTHENTICATION_FAILED') {
      const user = security.sasl?.username ?? '(no user)';
      return new KafkaSecurityError('kafka-sasl-refused', `Kafka refused the SASL credentials of ${user}; check KAFKA_SASL_USERNAME/PASSWORD`, { cause: err });
    }
    if (typeof code === 'string' && UNTRUSTED.test(code)) {
      const trust = security.ssl?.ca ? 'KAFKA_SSL_CA_FILE' : "the system's CAs (set KAFKA_SSL_CA_FILE)";
      return new KafkaSecurityError('kafka-tls-untrusted', `Kafka's TLS certificate is not trusted by ${trust}: ${e.message}`, { cause: err });
    }
    e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}
