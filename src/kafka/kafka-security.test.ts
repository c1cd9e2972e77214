import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { hubAcls } from './hub-acls.ts';
import { kafkaSecurityOptions, PLAINTEXT, plaintext } from './kafka-security.ts';
import { asSecurityError } from './kafka-security-error.ts';

/** LGSP_SECRETS_KEY, which an external cluster requires. */
const KEY = Buffer.alloc(32, 3).toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'lgsp-kafka-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('Kafka client security from the environment', () => {
  it('is PLAINTEXT by default, with no ssl or sasl options', () => {
    expect(loadConfig({}).kafkaSecurity).toEqual({ protocol: 'PLAINTEXT' });
    expect(kafkaSecurityOptions(PLAINTEXT)).toEqual({});
  });

  it('reads SASL_SSL with a password file, a CA and a client certificate, into kafkajs options', () => {
    const config = loadConfig({
      LGSP_SECRETS_KEY: KEY,
      KAFKA_BROKERS: 'k1:9093',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: 'hub',
      KAFKA_SASL_PASSWORD_FILE: file('password', 's3cret\n'),
      KAFKA_SSL_CA_FILE: file('ca.crt', 'CA PEM'),
      KAFKA_SSL_CERT_FILE: file('hub.crt', 'CERT PEM'),
      KAFKA_SSL_KEY_FILE: file('hub.key', 'KEY PEM'),
    });
    expect(kafkaSecurityOptions(config.kafkaSecurity)).toEqual({
      ssl: { ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM' },
      sasl: { mechanism: 'scram-sha-256', username: 'hub', password: 's3cret' },
    });
    expect(Object.isFrozen(config.kafkaSecurity)).toBe(true);
  });

  it('names each missing or bad variable, one line each', () => {
    const problems = problemsOf({
      LGSP_SECRETS_KEY: KEY,
      KAFKA_BROKERS: 'k1:9093',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_USERNAME: 'hub',
      KAFKA_SSL_CA_FILE: join(dir, 'missing.crt'),
      KAFKA_SSL_CERT_FILE: file('only.crt', 'CERT'),
    });
    expect(problems).toEqual([
      `KAFKA_SSL_CA_FILE="${join(dir, 'missing.crt')}": no such file`,
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): set both or neither',
      'KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE',
    ]);
    expect(problemsOf({ LGSP_SECRETS_KEY: KEY, KAFKA_BROKERS: 'k:1', KAFKA_SECURITY_PROTOCOL: 'TLS', KAFKA_SASL_MECHANISM: 'GSSAPI' })).toEqual([
      'KAFKA_SECURITY_PROTOCOL="TLS": expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL',
      'KAFKA_SASL_MECHANISM="GSSAPI": expected one of SCRAM-SHA-512, SCRAM-SHA-256, PLAIN',
    ]);
    expect(problemsOf({ KAFKA_SECURITY_PROTOCOL: 'SSL' })).toEqual([expect.stringMatching(/^KAFKA_SECURITY_PROTOCOL=SSL needs KAFKA_BROKERS/)]);
    expect(problemsOf({ LGSP_SECRETS_KEY: KEY, KAFKA_BROKERS: 'k:1', KAFKA_SSL_CA_FILE: file('ca2.crt', 'CA') })).toEqual([
      'KAFKA_SSL_* files are set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use TLS (SSL or SASL_SSL)',
    ]);
  });

  it('gives kafkajs TLS for SSL and nothing for PLAINTEXT', () => {
    const security = loadConfig({ LGSP_SECRETS_KEY: KEY, KAFKA_BROKERS: 'k:1', KAFKA_SECURITY_PROTOCOL: 'SSL' }).kafkaSecurity;
    expect(kafkaSecurityOptions(security)).toEqual({ ssl: {} });
    expect(kafkaSecurityOptions(plaintext(['k:1']).security)).toEqual({});
  });

  it("turns kafkajs' refused login into one line naming the user and the variables", () => {
    const refused = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: Invalid username or password'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const wrapped = Object.assign(new Error('retries exceeded'), { originalError: refused });
    const security = { protocol: 'SASL_SSL', sasl: { mechanism: 'SCRAM-SHA-512', username: 'hub', password: 'x' } } as const;
    expect(asSecurityError(wrapped, security)?.message).toBe('Kafka refused the SASL credentials of hub; check KAFKA_SASL_USERNAME/PASSWORD');
    expect(asSecurityError(new Error('Connection timeout'), security)).toBeUndefined();
  });
});

describe('the hub ACLs', () => {
  it('grant one principal the prefix, PREFIXED, on topics, groups and transactional ids, and nothing else', () => {
    const acls = hubAcls('User:hub', 'qn.');
    expect(new Set(acls.map((a) => a.principal))).toEqual(new Set(['User:hub']));
    const { AclResourceTypes, ResourcePatternTypes } = kafkajs;
    expect(new Set(acls.map((a) => `${a.resourceName} ${a.resourcePatternType}`))).toEqual(new Set([`qn. ${ResourcePatternTypes.PREFIXED}`]));
    expect(new Set(acls.map((a) => a.resourceType))).toEqual(new Set([AclResourceTypes.TOPIC, AclResourceTypes.GROUP, AclResourceTypes.TRANSACTIONAL_ID]));
    expect(acls.every((a) => a.permissionType === 3 /* ALLOW */)).toBe(true);
  });
});
