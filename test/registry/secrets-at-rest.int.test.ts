/**
 * Secrets at rest and connector tokens, against the real broker: the registry topic holds no
 * secret setting and no signing key (read as raw bytes by a plain kafkajs consumer) while hubs
 * with the key deliver with them; a hub without the key refuses to start in one line; the secrets
 * key rotation procedure of docs/secrets.md; token rotation with overlap; a connector moved to
 * another agency gets a new token.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeyOf } from '../../connectors/kit/signature.ts';
import { startWebhookSimulator, type WebhookSimulator } from '../../connectors/webhook/simulator.ts';
import type { Hub } from '../../src/hub.ts';
import { freePort } from '../../src/kafka/local-broker.ts';
import { issueCredential } from '../../src/registry/connector-credentials.ts';
import { ConnectorSealing } from '../../src/registry/connector-record.ts';
import type { ConnectorEntry } from '../../src/registry/registry-store.ts';
import { keyIdOf, SecretBox } from '../../src/secrets/secret-box.ts';
import { lgsp } from '../cli/run-lgsp.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { asOperator, registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { testAdmin, testBrokers, testKafka, uniqueName } from '../helpers/kafka.ts';
import { documentSent, OTHER, post, seedSenders, SENDER } from '../helpers/messages.ts';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.ts';
import { waitFor } from '../helpers/wait-for.ts';

const key = () => randomBytes(32).toString('base64');
const KEY_A = key();
const KEY_B = key();
const kid = (base64: string) => keyIdOf(Buffer.from(base64, 'base64'));

const PASSWORD = 'mat-khau-cong-dvc-7Qx2';
const VDXP_SECRET = 'truc-lien-thong-bi-mat-9Kp4';
const GATEWAY_KEY = 'khoa-cong-api-tinh-3Wz8';
const HA_LONG = '000.00.05.H49';
const source = (code: string) => `urn:lgsp:agency:${code}`;

/** Every key and value of `topic` from its beginning to its end now, as raw bytes, read by a plain kafkajs consumer. */
async function rawBytes(topic: string): Promise<Buffer> {
  const ends = await (await testAdmin()).fetchTopicOffsets(topic);
  const consumer = testKafka().consumer({ groupId: uniqueName('t-raw-reader') });
  const chunks: Buffer[] = [];
  const next = new Map<number, bigint>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        chunks.push(message.key ?? Buffer.alloc(0), message.value ?? Buffer.alloc(0));
        next.set(partition, BigInt(message.offset) + 1n);
      },
    });
    await waitFor(`reading ${topic} to its end`, () => ends.every((p) => (next.get(p.partition) ?? BigInt(p.low)) >= BigInt(p.high)), 20_000);
  } finally {
    await consumer.disconnect();
  }
  return Buffer.concat(chunks);
}

/** The last record of `key` in the registry topic, parsed. */
async function lastRecord(topic: string, key: string): Promise<Record<string, unknown>> {
  const text = (await rawBytes(topic)).toString('utf8');
  const at = text.lastIndexOf(`${key}{"connector":`);
  expect(at, `a record of ${key}`).toBeGreaterThanOrEqual(0);
  const value = text.slice(at + key.length);
  // Records follow each other key, value, key, ...: cut at the next registry key.
  const end = value.search(/\}(agency|connector|operator|hub-key)\//);
  return (JSON.parse(end < 0 ? value : value.slice(0, end + 1)) as { connector: Record<string, unknown> }).connector;
}

/** Starting a hub on `prefix` with these secrets keys; the error when it refuses. */
async function startRefusal(prefix: string, env: Record<string, string>): Promise<Error> {
  const hub = await startTestHub(testConfig({ LGSP_TOPIC_PREFIX: prefix, ...env })).catch((err: Error) => err);
  if (!(hub instanceof Error)) {
    await hub.close();
    throw new Error('the hub started');
  }
  return hub;
}

/** `npm start` on the test broker: exit code and stderr. */
function runHubProcess(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: {
        ...process.env,
        KAFKA_BROKERS: testBrokers().join(','),
        PORT: '0',
        LGSP_ADMIN_TOKEN: 'test-operator-token-0123456789',
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('secrets at rest', () => {
  const config = (env: Record<string, string>) => testConfig({ LGSP_TOPIC_PREFIX: prefix, LGSP_RETRY_TIERS: FAST_RETRIES.tiers, ...env });
  const prefix = `${uniqueName('t-secrets')}.`; // t-: the test principal's ACL prefix on a secured broker
  let hub: Hub;
  let certs: TestCertificates;
  let receiver: WebhookSimulator;
  const tokens: Record<string, string> = {};

  /** Sends a document from SENDER to Hạ Long through `hub` and waits for the TLS receiver to store it. */
  async function delivered(): Promise<void> {
    const event = documentSent({ to: HA_LONG });
    expect((await post(hub.url, event, { token: tokens.sender! })).status).toBe(202);
    await waitFor('the delivery to the mutual-TLS receiver', () => receiver.received().some((r) => r.event.id === event.id), 20_000);
  }

  beforeAll(async () => {
    certs = await makeTestCertificates();
    hub = await startTestHub(config({ LGSP_SECRETS_KEY: KEY_A }));
    tokens.sender = (await seedSenders(hub.url)).sender;
    const port = await freePort();
    tokens.receiver = await registerConnector(hub.url, {
      id: 'qn-ha-long-tls',
      agency: HA_LONG,
      kind: 'webhook',
      endpoint: `https://127.0.0.1:${port}/events`,
      subscriptions: [{ type: 'vn.gov.document.sent' }],
      delivery: { retrySchedule: [...FAST_RETRIES.schedule], timeoutMs: 2_000 },
      settings: { tlsCa: certs.ca, tlsClientCert: certs.client.cert, tlsClientKey: certs.client.key, headers: { 'x-api-key': GATEWAY_KEY } },
    });
    receiver = await startWebhookSimulator({
      signingKey: signingKeyOf(tokens.receiver),
      port,
      tls: { key: certs.server.key, cert: certs.server.cert, clientCa: certs.ca },
    });
    tokens.dvcqg = await registerConnector(hub.url, {
      id: 'qn-dvcqg-portal',
      agency: '000.00.00.H49',
      kind: 'dvcqg',
      settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: PASSWORD, dstcode: 'H49', madonvi: '000.00.00.H49' },
    });
    tokens.vdxp = await registerConnector(hub.url, {
      id: 'qn-vdxp-axis',
      agency: '000.00.00.G22',
      kind: 'vdxp',
      settings: { baseUrl: 'http://127.0.0.1:9/', systemId: 'lgsp-qn', secret: VDXP_SECRET, pollIntervalMs: 60_000 },
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await hub?.close();
  });

  it('keeps no secret setting and no signing key in the registry topic, and delivers with them', async () => {
    await delivered(); // the client key opens the TLS connection, the signing key signs the body
    const bytes = await rawBytes(hub.topics.registry);
    const secrets = {
      'the dvcqg password': PASSWORD,
      'the vdxp secret': VDXP_SECRET,
      'the gateway header': GATEWAY_KEY,
      'the TLS client key': certs.client.key.split('\n')[1]!,
      ...Object.fromEntries(Object.entries(tokens).map(([name, token]) => [`the signing key of ${name}`, signingKeyOf(token)])),
      ...Object.fromEntries(Object.entries(tokens).map(([name, token]) => [`the token of ${name}`, token.split('.')[1]!])),
    };
    for (const [name, secret] of Object.entries(secrets)) expect(bytes.includes(secret), name).toBe(false);
    expect(bytes.toString('utf8')).toContain(`{"$sealed":"v1.${kid(KEY_A)}.`);

    const dvcqg = (await (await asOperator(hub.url, '/v1/connectors/qn-dvcqg-portal')).json()) as { settings: Record<string, unknown> };
    expect(dvcqg.settings).toMatchObject({ username: 'qn', password: '(hidden)' });
    const tls = (await (await asOperator(hub.url, '/v1/connectors/qn-ha-long-tls')).json()) as { settings: Record<string, unknown> };
    expect(tls.settings).toMatchObject({ tlsClientCert: certs.client.cert, tlsClientKey: '(hidden)', headers: '(hidden)' });
  });

  it('is read back by a hub restarted with the same key, which delivers with them', async () => {
    await hub.close();
    hub = await startTestHub(config({ LGSP_SECRETS_KEY: KEY_A }));
    expect(((await (await asOperator(hub.url, '/v1/connectors')).json()) as { connectors: unknown[] }).connectors).toHaveLength(5);
    await delivered();
  });

  it('stops a hub with another key at start, in one line naming the record and the missing key', async () => {
    const other = key();
    const err = await startRefusal(prefix, { LGSP_SECRETS_KEY: other });
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(
      new RegExp(
        `^Cannot load the registry: \\S+ of the registry record connector/[\\w-]+ is sealed with secrets key ${kid(KEY_A)}, which this hub was not given: add that key to LGSP_SECRETS_OLD_KEYS \\(this hub seals with key ${kid(other)}, LGSP_SECRETS_KEY\\)\\. \\(4 more record\\(s\\) too\\)$`,
      ),
    );
    // `npm start` says the same on stderr, and exits 78 (a configuration problem).
    const run = await runHubProcess({ LGSP_TOPIC_PREFIX: prefix, LGSP_SECRETS_KEY: other });
    expect(run.code).toBe(78);
    expect(run.stderr.split('\n')).toContain(err.message);
  });

  it('rotates the secrets key: new key with the old one as old, re-encrypt, then the new key alone', async () => {
    // A record written before secrets were sealed: the signing key in clear.
    const legacy = issueCredential('qn-legacy');
    const manifest = (
      (await (await asOperator(hub.url, '/v1/connectors:validate', { body: { id: 'qn-legacy', agency: OTHER.agency, kind: 'webhook' } })).json()) as {
        connector: unknown;
      }
    ).connector;
    const producer = testKafka().producer();
    await producer.connect();
    const now = new Date().toISOString();
    await producer.send({
      topic: hub.topics.registry,
      messages: [
        { key: 'connector/qn-legacy', value: JSON.stringify({ connector: { manifest, credential: legacy.credential, createdAt: now, updatedAt: now } }) },
      ],
    });
    await producer.disconnect();
    await waitFor('the clear-text record to load', async () => (await asOperator(hub.url, '/v1/connectors/qn-legacy')).status === 200);
    expect((await post(hub.url, documentSent({ source: source(OTHER.agency) }), { token: legacy.token })).status).toBe(202);

    await hub.close();
    hub = await startTestHub(config({ LGSP_SECRETS_KEY: KEY_B, LGSP_SECRETS_OLD_KEYS: KEY_A }));
    await delivered();
    const first = await asOperator(hub.url, '/v1/secrets:reencrypt', { method: 'POST' });
    expect(first.status).toBe(200);
    // 5 connectors, the legacy one, and the hub's signing key (docs/signatures.md).
    expect(await first.json()).toEqual({ reencrypted: 7, keyId: kid(KEY_B) });
    const again = await lgsp(hub.url, ['secrets', 'reencrypt']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe(
      `re-encrypted 0 registry records (connectors and the hub's signing keys): every secret is now sealed with key ${kid(KEY_B)}.\nonce every hub instance runs with this key, remove the old key from LGSP_SECRETS_OLD_KEYS and restart them.\n`,
    );
    const record = await lastRecord(hub.topics.registry, 'connector/qn-legacy');
    expect(record.credential).toEqual({ secretSha256: legacy.credential.secretSha256 });
    expect(JSON.stringify(record.sealed)).toContain(`"v1.${kid(KEY_B)}.`);

    await hub.close();
    hub = await startTestHub(config({ LGSP_SECRETS_KEY: KEY_B }));
    await delivered();
    expect((await post(hub.url, documentSent({ source: source(OTHER.agency) }), { token: legacy.token })).status).toBe(202);
    const dvcqg = (await (await asOperator(hub.url, '/v1/connectors/qn-dvcqg-portal')).json()) as { settings: Record<string, unknown> };
    expect(dvcqg.settings.password).toBe('(hidden)');
    expect((await rawBytes(hub.topics.registry)).includes(PASSWORD)).toBe(false);

    // The old key alone no longer reads the registry.
    expect((await startRefusal(prefix, { LGSP_SECRETS_KEY: KEY_A })).message).toContain(`is sealed with secrets key ${kid(KEY_B)}`);
  });

  it('lets only admins re-encrypt', async () => {
    const created = await asOperator(hub.url, '/v1/operators', { body: { name: 'van-hanh', role: 'operator' } });
    expect(created.status).toBe(201);
    const { token } = (await created.json()) as { token: string };
    const reencrypt = (authorization?: string) =>
      fetch(`${hub.url}/v1/secrets:reencrypt`, { method: 'POST', headers: authorization ? { authorization } : {} }).then((r) => r.status);
    expect(await reencrypt(`Bearer ${token}`)).toBe(403);
    expect(await reencrypt()).toBe(401);
  });
});

describe('connector tokens', () => {
  let hub: Hub;
  let sender: string;
  let other: string;
  let system: AgencySystem;
  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    ({ sender, other } = await seedSenders(hub.url));
    system = await addAgencySystem(hub.url, 'qn-ha-long', HA_LONG, { subscriptions: [{ type: 'vn.gov.document.sent' }] });
  });
  afterAll(async () => {
    await system?.sim.close();
    await hub?.close();
  });

  const rotate = async (id: string, query = '') => {
    const res = await asOperator(hub.url, `/v1/connectors/${id}:rotate${query}`, { method: 'POST' });
    return { status: res.status, body: (await res.json()) as { token: string; previousValidUntil: string; errors?: { path: string }[] } };
  };
  const sends = async (token: string, agency: string = SENDER.agency) => (await post(hub.url, documentSent({ source: source(agency) }), { token })).status;

  it('keeps the replaced token working during the overlap, then refuses it', async () => {
    const before = Date.now();
    const { status, body } = await rotate(SENDER.id, '?overlap=2s');
    expect(status).toBe(200);
    const until = Date.parse(body.previousValidUntil);
    expect(until).toBeGreaterThanOrEqual(before + 2_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2_000);
    expect(await sends(sender)).toBe(202);
    expect(await sends(body.token)).toBe(202);
    await waitFor('the replaced token to be refused', async () => (await sends(sender)) === 401, 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(await sends(body.token)).toBe(202);
    sender = body.token;
  });

  it('refuses the replaced token at once with overlap 0s', async () => {
    const { body } = await rotate(SENDER.id, '?overlap=0s');
    expect(await sends(sender)).toBe(401);
    expect(await sends(body.token)).toBe(202);
    sender = body.token;
  });

  it('overlaps for LGSP_TOKEN_OVERLAP (24h by default) when no overlap is given', async () => {
    const { body } = await rotate(OTHER.id);
    expect(Date.parse(body.previousValidUntil) - Date.now()).toBeGreaterThan(24 * 3_600_000 - 60_000);
    expect(await sends(body.token, OTHER.agency)).toBe(202);
  });

  it('refuses an overlap that is not a duration, or too long, rotating nothing', async () => {
    for (const overlap of ['soon', '721h']) {
      const { status, body } = await rotate(SENDER.id, `?overlap=${overlap}`);
      expect(status).toBe(422);
      expect(body.errors?.map((e) => e.path)).toEqual(['/overlap']);
    }
    expect(await sends(sender)).toBe(202);
  });

  it('signs deliveries with the new token at once', async () => {
    const { body } = await rotate(system.id, '?overlap=1h');
    // The agency system now checks signatures with the new token's key only.
    await system.sim.close();
    const sim = await startWebhookSimulator({ signingKey: signingKeyOf(body.token), port: system.sim.port });
    system = { ...system, token: body.token, sim };
    const event = documentSent({ to: HA_LONG });
    expect((await post(hub.url, event, { token: sender })).status).toBe(202);
    await waitFor('the delivery signed with the new key', () => receivedIds(system).includes(event.id as string));
  });

  it('keeps a connector as it was when a record arrives that its keys cannot open', async () => {
    const { createdAt, updatedAt, ...manifest } = (await (await asOperator(hub.url, `/v1/connectors/${OTHER.id}`)).json()) as Record<string, string>;
    const forged = {
      manifest: { ...manifest, description: 'sealed with a key the hub lacks' },
      credential: issueCredential(OTHER.id).credential,
      createdAt,
      updatedAt,
    };
    const foreign = new ConnectorSealing(new SecretBox({ current: randomBytes(32), old: [] }), () => []);
    const producer = testKafka().producer();
    await producer.connect();
    const record = { connector: foreign.seal(forged as unknown as ConnectorEntry) };
    await producer.send({ topic: hub.topics.registry, messages: [{ key: `connector/${OTHER.id}`, value: JSON.stringify(record) }] });
    await producer.disconnect();
    // A write through the hub returns once the hub has read it back, so the forged record before it too.
    await registerConnector(hub.url, { id: 'qn-after-forged', agency: OTHER.agency, kind: 'webhook' });
    const kept = (await (await asOperator(hub.url, `/v1/connectors/${OTHER.id}`)).json()) as Record<string, string>;
    expect(kept.description).toBeUndefined();
    expect(await sends(other, OTHER.agency)).toBe(202);
  });

  it('gives a connector moved to another agency a new token, refusing the old ones at once', async () => {
    const first = await registerConnector(hub.url, { id: 'qn-mover', agency: OTHER.agency, kind: 'webhook' });
    const { body: rotated } = await rotate('qn-mover', '?overlap=1h');
    expect(await sends(first, OTHER.agency)).toBe(202); // in its overlap

    const same = await asOperator(hub.url, '/v1/connectors/qn-mover', {
      method: 'PUT',
      body: { agency: OTHER.agency, kind: 'webhook', description: 'unchanged agency' },
    });
    expect(same.status).toBe(200);
    expect(await same.json()).not.toHaveProperty('token');

    const moved = await asOperator(hub.url, '/v1/connectors/qn-mover', { method: 'PUT', body: { agency: SENDER.agency, kind: 'webhook' } });
    expect(moved.status).toBe(200);
    const view = (await moved.json()) as { agency: string; token: string };
    expect(view.agency).toBe(SENDER.agency);
    expect(view.token).toMatch(/^qn-mover\./);
    expect(await sends(first, OTHER.agency)).toBe(401);
    expect(await sends(rotated.token, OTHER.agency)).toBe(401);
    expect(await sends(view.token, SENDER.agency)).toBe(202);
    expect(JSON.stringify(await (await asOperator(hub.url, '/v1/connectors/qn-mover')).json())).not.toContain(view.token);
  });
});
