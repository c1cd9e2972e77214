import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { ConfigError } from './config-error.ts';
import { formatDuration, parseDuration } from './duration.ts';

describe('loadConfig', () => {
  it('has defaults that run a local development hub', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      kafkaBrokers: undefined,
      topicPrefix: 'lgsp.',
      port: 8080,
      partitions: 6,
      retryTiersMs: [5_000, 60_000, 600_000],
      adminTokenGenerated: true,
    });
    expect(config.adminToken.length).toBeGreaterThanOrEqual(16);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      LGSP_TOPIC_PREFIX: 'qn.',
      PORT: '9000',
      LGSP_ADMIN_TOKEN: 'x'.repeat(20),
      LGSP_SECRETS_KEY: Buffer.alloc(32, 1).toString('base64'),
      LGSP_PARTITIONS: '12',
      LGSP_REPLICATION_FACTOR: '3',
      LGSP_RETRY_TIERS: '1s,30s',
      LGSP_MAX_BODY_BYTES: '2048',
      LGSP_MAX_BATCH: '10',
    });
    expect(config).toMatchObject({
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      topicPrefix: 'qn.',
      port: 9000,
      adminTokenGenerated: false,
      partitions: 12,
      replicationFactor: 3,
      retryTiersMs: [1_000, 30_000],
      maxBodyBytes: 2048,
      maxBatchSize: 10,
    });
  });

  it('names every bad variable and what it expects, all at once', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', KAFKA_BROKERS: 'no-port', LGSP_ADMIN_TOKEN: 'short', LGSP_RETRY_TIERS: '1m,5s', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const { problems } = err as ConfigError;
      expect(problems).toHaveLength(5);
      expect(problems.join('\n')).toMatch(/PORT="eighty": expected a whole number from 0 to 65535/);
      expect(problems.join('\n')).toMatch(/KAFKA_BROKERS="no-port": expected host:port/);
      expect(problems.join('\n')).toMatch(/LGSP_ADMIN_TOKEN="short": expected at least 16 characters/);
      expect(problems.join('\n')).toMatch(/LGSP_RETRY_TIERS="1m,5s": expected increasing durations/);
      expect(problems.join('\n')).toMatch(/LOG_LEVEL="loud"/);
    }
  });

  it('refuses HTTPS with a certificate or key file it cannot read, or with only one of them', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ LGSP_TLS_CERT_FILE: '/nonexistent/hub.crt', LGSP_TLS_KEY_FILE: '/nonexistent/hub.key' })).toEqual([
      'LGSP_TLS_CERT_FILE="/nonexistent/hub.crt": no such file',
      'LGSP_TLS_KEY_FILE="/nonexistent/hub.key": no such file',
    ]);
    expect(problems({ LGSP_TLS_CERT_FILE: 'package.json' })).toEqual(['LGSP_TLS_CERT_FILE and LGSP_TLS_KEY_FILE go together (HTTPS): set both or neither']);
  });

  it('keeps the records forever unless LGSP_RECORDS_RETENTION says how long', () => {
    const retention = (value?: string) => loadConfig(value === undefined ? {} : { LGSP_RECORDS_RETENTION: value }).recordsRetentionMs;
    expect([retention(), retention('unlimited'), retention('30d'), retention('3650d'), retention('8760h')]).toEqual([
      -1, -1, 2_592_000_000, 315_360_000_000, 31_536_000_000,
    ]);
    for (const bad of ['forever', '0d', '30m', '-1', '10y']) {
      expect(() => retention(bad)).toThrow(/LGSP_RECORDS_RETENTION=".*": expected "unlimited" or a duration of at least an hour/);
    }
  });
});

describe('durations', () => {
  it('parse and format both ways', () => {
    expect(['250ms', '5s', '1m', '2h'].map(parseDuration)).toEqual([250, 5_000, 60_000, 7_200_000]);
    expect([250, 5_000, 60_000, 600_000, 7_200_000].map(formatDuration)).toEqual(['250ms', '5s', '1m', '10m', '2h']);
    expect(() => parseDuration('5 seconds')).toThrow(/expected a duration/);
  });
});
