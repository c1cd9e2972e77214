/**
 * How the hub's Kafka clients authenticate and encrypt: the ONE place where kafkajs `ssl` and
 * `sasl` options are made (`kafkaSecurityOptions`). `loadConfig` builds a `KafkaSecurity` from the
 * KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_* / KAFKA_SSL_* variables, with the files already read.
 *
 * A `KafkaCluster` (addresses + security) is what `createKafka`, `probeCluster` and `startHub`
 * take, so no client can be made for the brokers without their security settings.
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

/** Where a Kafka cluster is and how to speak to it: what every client the hub makes needs. */
export interface KafkaCluster {
  readonly brokers: readonly string[];
  readonly security: KafkaSecurity;
}

/** A cluster reached without TLS or SASL (the local development and test broker). */
export function plaintext(brokers: readonly string[]): KafkaCluster {
  return { brokers, security: PLAINTEXT };
}
