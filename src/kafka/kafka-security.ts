/**
 * How the hub's Kafka clients authenticate and encrypt: the ONE place where kafkajs `ssl` and
 * `sasl` options are made (`kafkaSecurityOptions`). `loadConfig` builds a `KafkaSecurity` from the
 * KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_* / KAFKA_SSL_* variables, with the files already read.
 *
 * The broker list carries its security (`withSecurity`), so every client made for those brokers
 * (createKafka, probeCluster) speaks the same protocol without each caller passing it along.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export const SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  /** Present for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
  /** Present for SSL and SASL_SSL; without `ca`, the system's roots are trusted. PEM texts. */
  readonly ssl?: { readonly ca?: string; readonly cert?: string; readonly key?: string };
}

const KAFKAJS_MECHANISMS: Record<SaslMechanism, (username: string, password: string) => SASLOptions> = {
  'SCRAM-SHA-512': (username, password) => ({ mechanism: 'scram-sha-512', username, password }),
  'SCRAM-SHA-256': (username, password) => ({ mechanism: 'scram-sha-256', username, password }),
  PLAIN: (username, password) => ({ mechanism: 'plain', username, password }),
};

export const PLAINTEXT: KafkaSecurity = Object.freeze({ protocol: 'PLAINTEXT' });

/** The kafkajs `ssl` and `sasl` options of a client that speaks `security`. */
export function kafkaSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security.ssl) {
    const { ca, cert, key } = security.ssl;
    options.ssl = { ...(ca ? { ca: [ca] } : {}), ...(cert && key ? { cert, key } : {}) };
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    options.sasl = KAFKAJS_MECHANISMS[mechanism](username, password);
  }
  return options;
}

const SECURED = new WeakMap<readonly string[], KafkaSecurity>();

/** A copy of `brokers` that remembers `security`; pass it wherever a broker list is expected. */
export function withSecurity(brokers: readonly string[], security: KafkaSecurity): readonly string[] {
  const carried = Object.freeze([...brokers]);
  SECURED.set(carried, security);
  return carried;
}

/** The security that `withSecurity` attached to this list; PLAINTEXT for any other list. */
export function securityOf(brokers: readonly string[]): KafkaSecurity {
  return SECURED.get(brokers) ?? PLAINTEXT;
}
