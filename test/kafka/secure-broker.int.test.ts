/**
 * A hub on a secured Kafka: its own broker with a SASL_SSL listener, SCRAM-SHA-512 users `broker`
 * (super user), `hub` and `intruder`, and ACLs that let only `hub` use the prefix `t-` (topics,
 * groups and transactional ids; no cluster ACL). The hub
 * works end to end as `hub`; a client without SASL and the intruder are refused on the registry and
 * ingress topics; a hub with a wrong password or a missing CA file stops at start, writing nothing.
 */
import { spawn } from 'node:child_process';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { startHub } from '../../src/hub.ts';
import { kafkaSecurityOptions, type KafkaSecurity } from '../../src/kafka/kafka-security.ts';
import type { LocalBrokerSecurity } from '../../src/kafka/secure-broker.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { testConfig, TEST_ADMIN_TOKEN, TEST_SECRETS_KEY } from '../helpers/hub.ts';
import { uniqueName } from '../helpers/kafka.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { startOwnBroker, type OwnBroker } from '../helpers/own-broker.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('a hub on a secured Kafka (SASL_SSL, SCRAM-SHA-512, ACLs)', () => {
  let own: OwnBroker;
  let security: LocalBrokerSecurity;
  let hub: Hub;
  let sender: string;
  let province: AgencySystem;

  const client = (kafkaSecurity: KafkaSecurity) =>
    new Kafka({
      brokers: own.current.brokers,
      clientId: uniqueName('secure-test'),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 2_000,
      ...kafkaSecurityOptions(kafkaSecurity),
    });
  /** The cluster operator's view (`broker` is the super user). */
  const withOperator = async <T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> => {
    const admin = client(security.as('broker')).admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  };
  const highWatermarks = (topic: string) => withOperator(async (a) => (await a.fetchTopicOffsets(topic)).map((p) => p.high));

  beforeAll(async () => {
    own = await startOwnBroker({ secure: { topicPrefix: 't-' } });
    security = own.current.security!;
    const config = testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers });
    hub = await startHub(config, { brokers: own.current.brokers, security: security.as('hub') }, createLogger(config));
    sender = (await seedSenders(hub.url)).sender;
    province = await addAgencySystem(hub.url, 'qn-ubnd', '000.00.00.H49');
  });
  afterAll(async () => {
    await province?.sim.close();
    await hub?.close();
    await own?.stop();
  });

  const sendAndDeliver = async () => {
    const message = documentSent();
    expect((await post(hub.url, message, { token: sender })).status).toBe(202);
    await waitFor('the document at the province', () => receivedIds(province).includes(message.id as string));
  };

  it('registers connectors, accepts a message and delivers it, all as User:hub', async () => {
    await sendAndDeliver();
    const acls = await withOperator((a) =>
      a.describeAcls({
        resourceType: kafkajs.AclResourceTypes.ANY,
        resourcePatternType: kafkajs.ResourcePatternTypes.ANY,
        operation: kafkajs.AclOperationTypes.ANY,
        permissionType: kafkajs.AclPermissionTypes.ANY,
      }),
    );
    const principals = new Set(acls.resources.flatMap((r) => r.acls.map((acl) => acl.principal)));
    expect([...principals]).toEqual(['User:hub']);
    // Topics, groups and transactional ids all start with the prefix: one name, PREFIXED, covers them.
    expect(new Set(acls.resources.map((r) => `${r.resourceName} ${r.resourcePatternType}`))).toEqual(new Set([`t- ${kafkajs.ResourcePatternTypes.PREFIXED}`]));
  });

  it('refuses a client without SASL and the intruder on the registry and ingress topics, while the hub keeps working', async () => {
    const topics = [hub.topics.registry, hub.topics.ingress];
    const before = await Promise.all(topics.map(highWatermarks));
    const anonymous: KafkaSecurity = { protocol: 'SSL', ssl: { ca: security.ca } };
    const intruder = security.as('intruder');
    for (const [who, kafkaSecurity, refusal] of [
      ['no SASL', anonymous, /closed|connect|disconnect|SASL|authenticat/i],
      ['intruder', intruder, /authoriz/i],
    ] as const) {
      for (const topic of topics) {
        const producer = client(kafkaSecurity).producer({ retry: { retries: 0 } });
        const attempt = (async () => {
          await producer.connect();
          await producer.send({ topic, messages: [{ key: 'forged', value: JSON.stringify({ who }) }] });
        })();
        await expect(attempt, `${who} writing ${topic}`).rejects.toThrow(refusal);
        await producer.disconnect().catch(() => undefined);
      }
    }
    // The intruder cannot read the registry either (it holds connector secrets).
    const snoop = client(intruder).admin();
    await snoop.connect();
    await expect(snoop.fetchTopicOffsets(hub.topics.registry)).rejects.toThrow(/authoriz/i);
    await snoop.disconnect();

    expect(await Promise.all(topics.map(highWatermarks))).toEqual(before);
    await sendAndDeliver();
  });

  it('stops a hub with a wrong SASL password or a missing CA file at start, with one line, writing nothing', async () => {
    const prefix = `${uniqueName('t')}.`;
    const env = {
      KAFKA_BROKERS: own.current.brokers.join(','),
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'hub',
      KAFKA_SASL_PASSWORD: security.passwords.hub,
      KAFKA_SSL_CA_FILE: security.caFile,
      LGSP_TOPIC_PREFIX: prefix,
    };
    const [wrongPassword, missingCa] = await Promise.all([
      runHub({ ...env, KAFKA_SASL_PASSWORD: 'not-the-password' }),
      runHub({ ...env, KAFKA_SSL_CA_FILE: '/nonexistent/ca.crt' }),
    ]);
    expect(wrongPassword).toEqual({ code: 78, stderr: 'Kafka refused the SASL credentials of hub; check KAFKA_SASL_USERNAME/PASSWORD\n' });
    expect(missingCa.code).toBe(78);
    expect(missingCa.stderr).toMatch(/^ {2}KAFKA_SSL_CA_FILE="\/nonexistent\/ca\.crt": no such file$/m);
    const created = await withOperator((a) => a.listTopics());
    expect(created.filter((t) => t.startsWith(prefix))).toEqual([]);
  });
});

/** `src/main.ts` as a process until it exits by itself (within 30 s). */
function runHub(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: { ...process.env, PORT: '0', LGSP_ADMIN_TOKEN: TEST_ADMIN_TOKEN, LGSP_SECRETS_KEY: TEST_SECRETS_KEY, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}
