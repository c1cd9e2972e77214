/**
 * What makes the local broker a secured one (`startLocalBroker({ secure })`): a throwaway CA and
 * broker certificate (PEM keystore, KIP-651), SCRAM-SHA-512 users created when the storage is
 * formatted (KIP-900): `broker` (the broker itself and the only super user), `hub` and `intruder`;
 * one SASL_SSL listener on 127.0.0.1, KRaft's StandardAuthorizer denying what no ACL allows, and
 * the hub's ACLs (`hubAcls`) granted to `hub` through the Admin API once the broker answers.
 *
 * The material is kept in `<dataDir>/security/` so a restart on the same storage finds the same
 * certificates and passwords.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { hubAcls } from './hub-acls.ts';
import { kafkaSecurityOptions, type KafkaSecurity } from './kafka-security.ts';
import './kafkajs-request-queue.ts';
import { makeThrowawayCertificates } from './throwaway-certificates.ts';

export const SECURE_BROKER_USERS = ['broker', 'hub', 'intruder'] as const;
export type SecureBrokerUser = (typeof SECURE_BROKER_USERS)[number];

export interface SecureBrokerOptions {
  /** The topic prefix whose topics, groups and transactional ids `hub` may use; default `lgsp.`. */
  readonly topicPrefix?: string;
}

export interface LocalBrokerSecurity {
  readonly protocol: 'SASL_SSL';
  readonly mechanism: 'SCRAM-SHA-512';
  /** The CA that signed the broker's certificate (PEM file, and its text). */
  readonly caFile: string;
  readonly ca: string;
  readonly passwords: Readonly<Record<SecureBrokerUser, string>>;
  readonly topicPrefix: string;
  /** The client security of one of the broker's users. */
  as(user: SecureBrokerUser): KafkaSecurity;
}

/** Makes (first start) or reads back (restart) the certificates and passwords in `<dir>/security`. */
export async function prepareSecurity(dir: string, options: SecureBrokerOptions): Promise<LocalBrokerSecurity> {
  const folder = join(dir, 'security');
  const file = (name: string) => join(folder, name);
  if (!existsSync(file('passwords.json'))) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const certs = await makeThrowawayCertificates({ days: 365 });
    await writeFile(file('ca.crt'), certs.ca);
    await writeFile(file('broker.crt'), certs.server.cert);
    await writeFile(file('broker.key'), certs.server.key, { mode: 0o600 });
    const passwords = Object.fromEntries(SECURE_BROKER_USERS.map((user) => [user, randomBytes(18).toString('base64url')]));
    await writeFile(file('passwords.json'), JSON.stringify(passwords, null, 2) + '\n', { mode: 0o600 });
  }
  const ca = await readFile(file('ca.crt'), 'utf8');
  const passwords = JSON.parse(await readFile(file('passwords.json'), 'utf8')) as Record<SecureBrokerUser, string>;
  const mechanism = 'SCRAM-SHA-512';
  return {
    protocol: 'SASL_SSL',
    mechanism,
    caFile: file('ca.crt'),
    ca,
    passwords,
    topicPrefix: options.topicPrefix ?? 'lgsp.',
    as: (user) => ({ protocol: 'SASL_SSL', sasl: { mechanism, username: user, password: passwords[user] }, ssl: { ca } }),
  };
}

/** server.properties lines of the secured broker (they replace the plaintext listener's). */
export async function secureProperties(dir: string, security: LocalBrokerSecurity, port: number, controllerPort: number): Promise<Record<string, string>> {
  const folder = join(dir, 'security');
  // Inline PEM (a PEM keystore file would need an encrypted key); Java properties read `\n` as a newline.
  const pem = async (name: string) => (await readFile(join(folder, name), 'utf8')).trim().replace(/\r?\n/g, '\\n');
  return {
    listeners: `SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `SASL_SSL://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'SASL_SSL',
    // The controller listener stays plaintext on loopback: there the broker is User:ANONYMOUS.
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    'sasl.enabled.mechanisms': security.mechanism,
    'sasl.mechanism.inter.broker.protocol': security.mechanism,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${security.passwords.broker}";`,
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.certificate.chain': await pem('broker.crt'),
    'ssl.keystore.key': await pem('broker.key'),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': join(folder, 'ca.crt'),
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'allow.everyone.if.no.acl.found': 'false',
    'super.users': 'User:broker;User:ANONYMOUS',
  };
}

/** `StorageTool format` arguments that create the SCRAM users (KIP-900). */
export function scramFormatArgs(security: LocalBrokerSecurity): string[] {
  return SECURE_BROKER_USERS.flatMap((user) => ['--add-scram', `${security.mechanism}=[name=${user},password=${security.passwords[user]}]`]);
}

/** Grants `hub` its ACLs, as `broker` (idempotent: creating an existing ACL is a no-op). */
export async function grantHubAcls(brokers: readonly string[], security: LocalBrokerSecurity): Promise<void> {
  const kafka = new Kafka({
    brokers: [...brokers],
    clientId: 'lgsp-local-broker-acls',
    logLevel: logLevel.NOTHING,
    ...kafkaSecurityOptions(security.as('broker')),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({ acl: hubAcls('User:hub', security.topicPrefix) });
  } finally {
    await admin.disconnect();
  }
}
