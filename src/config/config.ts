/**
 * Environment → typed, validated, frozen configuration. The only module that reads
 * `process.env`: everything else receives a `HubConfig`.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.ts';
import { parseDuration } from './duration.ts';

export interface HubConfig {
  /** Brokers of an external cluster; undefined means "start a local broker". */
  readonly kafkaBrokers: readonly string[] | undefined;
  readonly kafkaHome: string | undefined;
  readonly topicPrefix: string;
  readonly partitions: number;
  /** undefined: min(3, brokers in the cluster), decided once the cluster answers. */
  readonly replicationFactor: number | undefined;
  readonly host: string;
  readonly port: number;
  readonly adminToken: string;
  /** True when no LGSP_ADMIN_TOKEN was given and a random one was made for this run. */
  readonly adminTokenGenerated: boolean;
  readonly maxBodyBytes: number;
  readonly maxBatchSize: number;
  /** Deepest nesting of objects and arrays a JSON body may have (checked before parsing). */
  readonly maxJsonDepth: number;
  /** Slow-client guard: time for a request's headers, and for the whole request. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** How long, and how many, accepted source + id pairs are remembered to answer re-sends. */
  readonly dedupeWindowMs: number;
  readonly dedupeMaxEntries: number;
  /** A JSON array of agency records that seeds an empty directory at first start. */
  readonly agenciesFile: string | undefined;
  readonly retryTiersMs: readonly number[];
  /** Where the hub keeps local state: the local broker's storage. */
  readonly dataDir: string;
  /** Where downloaded tools (the broker's jars) are cached across runs and clones. */
  readonly cacheDir: string;
  readonly logLevel: string;
  readonly logPretty: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Each documented variable, with its parser. The README's table is written from this list. */
export function loadConfig(env: Env = process.env): HubConfig {
  const errors: string[] = [];
  const read = <T>(name: string, fallback: T, parse: (raw: string) => T): T => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    try {
      return parse(raw);
    } catch (err) {
      errors.push(`${name}=${JSON.stringify(raw)}: ${(err as Error).message}`);
      return fallback;
    }
  };

  const adminTokenRaw = read('LGSP_ADMIN_TOKEN', undefined, (raw) => {
    if (raw.length < 16) throw new Error('expected at least 16 characters');
    return raw;
  });
  const config: HubConfig = {
    kafkaBrokers: read('KAFKA_BROKERS', undefined, parseBrokers),
    kafkaHome: read('KAFKA_HOME', undefined, (raw) => raw),
    topicPrefix: read('LGSP_TOPIC_PREFIX', 'lgsp.', (raw) => {
      if (!/^[A-Za-z0-9._-]{0,200}$/.test(raw)) throw new Error('expected letters, digits, ".", "_" or "-"');
      return raw;
    }),
    partitions: read('LGSP_PARTITIONS', 6, intIn(1, 1000)),
    replicationFactor: read('LGSP_REPLICATION_FACTOR', undefined, intIn(1, 16)),
    host: read('HOST', '127.0.0.1', (raw) => raw),
    port: read('PORT', 8080, intIn(0, 65535)),
    adminToken: adminTokenRaw ?? randomBytes(24).toString('base64url'),
    adminTokenGenerated: adminTokenRaw === undefined,
    maxBodyBytes: read('LGSP_MAX_BODY_BYTES', 8 * 1024 * 1024, intIn(1024, 512 * 1024 * 1024)),
    maxBatchSize: read('LGSP_MAX_BATCH', 500, intIn(1, 10000)),
    maxJsonDepth: read('LGSP_MAX_JSON_DEPTH', 64, intIn(4, 10_000)),
    headersTimeoutMs: read('LGSP_HEADERS_TIMEOUT', 10_000, parseDuration),
    requestTimeoutMs: read('LGSP_REQUEST_TIMEOUT', 60_000, parseDuration),
    dedupeWindowMs: read('LGSP_DEDUPE_WINDOW', 7 * 24 * 3_600_000, parseDuration),
    dedupeMaxEntries: read('LGSP_DEDUPE_MAX_ENTRIES', 1_000_000, intIn(1_000, 100_000_000)),
    agenciesFile: read('LGSP_AGENCIES_FILE', undefined, (raw) => raw),
    retryTiersMs: read('LGSP_RETRY_TIERS', [5_000, 60_000, 600_000], parseTiers),
    dataDir: read('LGSP_DATA_DIR', '.lgsp', (raw) => raw),
    cacheDir: read('LGSP_CACHE_DIR', join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lgsp-hub'), (raw) => raw),
    logLevel: read('LOG_LEVEL', 'info', (raw) => {
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(raw)) {
        throw new Error('expected one of fatal, error, warn, info, debug, trace, silent');
      }
      return raw;
    }),
    logPretty:
      read('LOG_FORMAT', 'json', (raw) => {
        if (raw !== 'json' && raw !== 'pretty') throw new Error('expected "json" or "pretty"');
        return raw;
      }) === 'pretty',
  };
  if (errors.length > 0) throw new ConfigError(errors);
  return Object.freeze(config);
}

function parseBrokers(raw: string): string[] {
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const b of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) throw new Error(`expected host:port[,host:port...], got "${b}"`);
  }
  if (brokers.length === 0) throw new Error('expected host:port[,host:port...]');
  return brokers;
}

function intIn(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw new Error(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function parseTiers(raw: string): number[] {
  const tiers = raw.split(',').map((t) => parseDuration(t.trim()));
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i]! <= tiers[i - 1]!) throw new Error('expected increasing durations, e.g. 5s,1m,10m');
  }
  return tiers;
}
