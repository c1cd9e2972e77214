/**
 * Environment → typed, validated, frozen configuration. The only module that reads
 * `process.env`: everything else receives a `HubConfig`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SASL_MECHANISMS, SECURITY_PROTOCOLS, type KafkaSecurity } from '../kafka/kafka-security.ts';
import ipaddr from 'ipaddr.js';
import { ConfigError } from './config-error.ts';
import type { SecretsKeys } from '../secrets/secret-box.ts';
import { parseDuration } from './duration.ts';

export interface HubConfig {
  /** Brokers of an external cluster; undefined means "start a local broker". */
  readonly kafkaBrokers: readonly string[] | undefined;
  readonly kafkaHome: string | undefined;
  /** TLS and SASL of every Kafka client (KAFKA_SECURITY_PROTOCOL and friends), files already read. */
  readonly kafkaSecurity: KafkaSecurity;
  readonly topicPrefix: string;
  readonly partitions: number;
  /** undefined: min(3, brokers in the cluster), decided once the cluster answers. */
  readonly replicationFactor: number | undefined;
  readonly host: string;
  readonly port: number;
  readonly adminToken: string;
  /** True when no LGSP_ADMIN_TOKEN was given and a random one was made for this run. */
  readonly adminTokenGenerated: boolean;
  /**
   * AES-256-GCM keys of the secrets at rest (LGSP_SECRETS_KEY, LGSP_SECRETS_OLD_KEYS): the
   * current key encrypts, old keys only decrypt. Undefined only for a local development broker,
   * where `main.ts` keeps a key file in the data folder; an external cluster requires it.
   */
  readonly secretsKeys: SecretsKeys | undefined;
  /** HTTPS (LGSP_TLS_CERT_FILE, LGSP_TLS_KEY_FILE), PEM already read; undefined: plain HTTP. */
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** LGSP_METRICS_TOKEN: when set, `/metrics` asks for it as a bearer token. */
  readonly metricsToken: string | undefined;
  /** Per-connector token bucket (LGSP_RATE_LIMIT requests a second, LGSP_RATE_BURST); 0: no limit. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  /** How long a rotated token keeps working beside the new one (LGSP_TOKEN_OVERLAP). */
  readonly tokenOverlapMs: number;
  /** LGSP_OUTBOUND_ALLOW: hosts and CIDRs connectors may reach although they are link-local or metadata addresses. */
  readonly outboundAllow: readonly string[];
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
  /** The most of those one sender (`source`, an agency) may hold: its flood evicts its own oldest, never others'. */
  readonly dedupeMaxPerSource: number;
  /** LGSP_RECORDS_RETENTION: `retention.ms` of the records topics (ingress, events, audit, service-calls); -1 keeps them forever. */
  readonly recordsRetentionMs: number;
  /** Data-sharing calls: a service's provider deadline unless the service sets `timeoutMs` (LGSP_SERVICE_TIMEOUT). */
  readonly serviceTimeoutMs: number;
  /** Data-sharing calls: the most bytes of a provider's answer passed on; more is `502 provider-answer-too-large` (LGSP_SERVICE_MAX_RESPONSE_BYTES). */
  readonly serviceMaxResponseBytes: number;
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

  const adminTokenRaw = read('LGSP_ADMIN_TOKEN', undefined, atLeast16);
  const kafkaBrokers = read('KAFKA_BROKERS', undefined, parseBrokers);
  const secretsKey =
    read('LGSP_SECRETS_KEY', undefined, parseSecretsKey) ?? read('LGSP_SECRETS_KEY_FILE', undefined, (raw) => parseSecretsKey(readText(raw).trim()));
  const oldKeys = read('LGSP_SECRETS_OLD_KEYS', [], (raw) => raw.split(',').map((k) => parseSecretsKey(k.trim())));
  if (secretsKey === undefined && kafkaBrokers !== undefined && !errors.some((e) => e.startsWith('LGSP_SECRETS_KEY'))) {
    errors.push(
      'LGSP_SECRETS_KEY (or LGSP_SECRETS_KEY_FILE) is required with KAFKA_BROKERS: the registry keeps secret settings encrypted with it. Make one with `openssl rand -base64 32` and keep it safe.',
    );
  }
  const tlsCert = read('LGSP_TLS_CERT_FILE', undefined, readText);
  const tlsKey = read('LGSP_TLS_KEY_FILE', undefined, readText);
  if ((env.LGSP_TLS_CERT_FILE === undefined) !== (env.LGSP_TLS_KEY_FILE === undefined)) {
    errors.push('LGSP_TLS_CERT_FILE and LGSP_TLS_KEY_FILE go together (HTTPS): set both or neither');
  }
  const perSecond = read('LGSP_RATE_LIMIT', 50, intIn(0, 1_000_000));
  const config: HubConfig = {
    kafkaBrokers,
    kafkaHome: read('KAFKA_HOME', undefined, (raw) => raw),
    kafkaSecurity: readKafkaSecurity(read, errors, kafkaBrokers !== undefined),
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
    secretsKeys: secretsKey ? Object.freeze({ current: secretsKey, old: Object.freeze(oldKeys) }) : undefined,
    tls: tlsCert && tlsKey ? Object.freeze({ cert: tlsCert, key: tlsKey }) : undefined,
    metricsToken: read('LGSP_METRICS_TOKEN', undefined, atLeast16),
    rateLimit: Object.freeze({ perSecond, burst: read('LGSP_RATE_BURST', 2 * perSecond, intIn(0, 1_000_000)) }),
    tokenOverlapMs: read('LGSP_TOKEN_OVERLAP', 24 * 3_600_000, parseDuration),
    outboundAllow: read('LGSP_OUTBOUND_ALLOW', [], parseAllowList),
    maxBodyBytes: read('LGSP_MAX_BODY_BYTES', 8 * 1024 * 1024, intIn(1024, 512 * 1024 * 1024)),
    maxBatchSize: read('LGSP_MAX_BATCH', 500, intIn(1, 10000)),
    maxJsonDepth: read('LGSP_MAX_JSON_DEPTH', 64, intIn(4, 10_000)),
    headersTimeoutMs: read('LGSP_HEADERS_TIMEOUT', 10_000, parseDuration),
    requestTimeoutMs: read('LGSP_REQUEST_TIMEOUT', 60_000, parseDuration),
    dedupeWindowMs: read('LGSP_DEDUPE_WINDOW', 7 * 24 * 3_600_000, parseDuration),
    dedupeMaxEntries: read('LGSP_DEDUPE_MAX_ENTRIES', 1_000_000, intIn(1_000, 100_000_000)),
    dedupeMaxPerSource: read('LGSP_DEDUPE_MAX_PER_SOURCE', 200_000, intIn(100, 100_000_000)),
    recordsRetentionMs: read('LGSP_RECORDS_RETENTION', -1, parseRetention),
    serviceTimeoutMs: read('LGSP_SERVICE_TIMEOUT', 10_000, parseDuration),
    serviceMaxResponseBytes: read('LGSP_SERVICE_MAX_RESPONSE_BYTES', 4 * 1024 * 1024, intIn(1024, 64 * 1024 * 1024)),
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

type Read = <T>(name: string, fallback: T, parse: (raw: string) => T) => T;

/**
 * KAFKA_SECURITY_PROTOCOL and the variables it asks for. Files are read now, so a missing CA
 * file or password is a configuration error at start that names its variable.
 */
function readKafkaSecurity(read: Read, errors: string[], external: boolean): KafkaSecurity {
  const protocol = read('KAFKA_SECURITY_PROTOCOL', 'PLAINTEXT', oneOf(SECURITY_PROTOCOLS));
  const mechanism = read('KAFKA_SASL_MECHANISM', 'SCRAM-SHA-512', oneOf(SASL_MECHANISMS));
  const username = read('KAFKA_SASL_USERNAME', undefined, (raw) => raw);
  const password =
    read('KAFKA_SASL_PASSWORD', undefined, (raw) => raw) ??
    read('KAFKA_SASL_PASSWORD_FILE', undefined, (raw) => {
      const text = readText(raw).trim();
      if (text === '') throw new Error('the file is empty');
      return text;
    });
  const ca = read('KAFKA_SSL_CA_FILE', undefined, readText);
  const cert = read('KAFKA_SSL_CERT_FILE', undefined, readText);
  const key = read('KAFKA_SSL_KEY_FILE', undefined, readText);
  const needs = (what: string) => errors.push(`KAFKA_SECURITY_PROTOCOL=${protocol} needs ${what}`);
  if (protocol !== 'PLAINTEXT' && !external) {
    needs('KAFKA_BROKERS (the local broker started without it is plaintext; `npm run kafka -- --secure` prints the variables of a secured one)');
  }
  if ((cert === undefined) !== (key === undefined)) errors.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): set both or neither');
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (sasl && username === undefined) needs('KAFKA_SASL_USERNAME');
  const passwordFileFailed = errors.some((e) => e.startsWith('KAFKA_SASL_PASSWORD_FILE='));
  if (sasl && password === undefined && !passwordFileFailed) needs('KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE');
  if (!tls && (ca ?? cert ?? key) !== undefined)
    errors.push(`KAFKA_SSL_* files are set but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS (SSL or SASL_SSL)`);
  return Object.freeze({
    protocol,
    ...(sasl ? { sasl: Object.freeze({ mechanism, username: username ?? '', password: password ?? '' }) } : {}),
    ...(tls ? { ssl: Object.freeze({ ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) }) } : {}),
  });
}

/** Hosts, addresses and CIDRs, comma-separated; a CIDR must be a valid one. */
function parseAllowList(raw: string): string[] {
  const entries = raw
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (entry.includes('/') && !ipaddr.isValidCIDR(entry)) throw new Error(`"${entry}" is not a CIDR (e.g. 169.254.169.254/32)`);
  }
  return entries;
}

/** Tokens printed in documentation and sample files: anyone can read them, so none is accepted. */
const SAMPLE_TOKENS = ['change-me-operator-token', 'change-me', 'changeme', 'replace-me', 'secret', 'password', 'admin-token'];

/** A bearer token set by configuration: long enough, and not one of the published samples. */
function atLeast16(raw: string): string {
  if (SAMPLE_TOKENS.includes(raw.toLowerCase()) || /change[-_ ]?me|example|sample/i.test(raw)) {
    throw new Error('this is a published sample token: make a real one with `openssl rand -base64 24`');
  }
  if (raw.length < 16) throw new Error('expected at least 16 characters');
  return raw;
}

/** 32 random bytes, base64 (as `openssl rand -base64 32` prints) or 64 hex digits. */
function parseSecretsKey(raw: string): Buffer {
  const hex = /^[0-9a-f]{64}$/i.test(raw);
  const key = Buffer.from(raw, hex ? 'hex' : 'base64');
  if (key.length !== 32 || (!hex && key.toString('base64') !== raw)) {
    throw new Error('expected 32 random bytes, base64 or hex: make one with `openssl rand -base64 32`');
  }
  return key;
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T => {
    if (!values.includes(raw as T)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw as T;
  };
}

/** A file's text; the error says why it cannot be read (missing, unreadable). */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? (err as Error).message})`, { cause: err });
  }
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

/** `unlimited` (-1, Kafka's "never delete"), or how long the records are kept: days (`3650d`) or a duration. */
function parseRetention(raw: string): number {
  if (raw === 'unlimited') return -1;
  const days = /^(\d+)d$/.exec(raw);
  const ms = days ? Number(days[1]) * 24 * 3_600_000 : /^\d+(ms|s|m|h)$/.test(raw) ? parseDuration(raw) : NaN;
  if (!(ms >= 3_600_000)) throw new Error('expected "unlimited" or a duration of at least an hour, such as 3650d or 8760h');
  return ms;
}

function parseTiers(raw: string): number[] {
  const tiers = raw.split(',').map((t) => parseDuration(t.trim()));
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i]! <= tiers[i - 1]!) throw new Error('expected increasing durations, e.g. 5s,1m,10m');
  }
  return tiers;
}
