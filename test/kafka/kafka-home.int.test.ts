import { mkdtemp, rm, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { brokerClasspath, KAFKA_VERSION } from '../../src/kafka/broker-jars.ts';
import { startLocalBroker } from '../../src/kafka/local-broker.ts';
import { LocalBrokerError } from '../../src/kafka/local-broker-error.ts';
import { probeCluster } from '../../src/kafka/probe.ts';
import { plaintext } from '../../src/kafka/kafka-security.ts';
import { jarsCacheDir } from '../helpers/own-broker.ts';

describe('KAFKA_HOME', () => {
  it("starts the local broker from an unpacked distribution's libs/ instead of Maven", async () => {
    const home = await mkdtemp(join(tmpdir(), 'lgsp-test-kafka-home-'));
    const dataDir = join(home, 'data');
    onTestFinished(() => rm(home, { recursive: true, force: true }));
    // The jars Maven resolved (already, unless the run uses KAFKA_BROKERS), laid out as a distribution has them.
    const cacheDir = jarsCacheDir();
    await brokerClasspath({ cacheDir, say: () => undefined });
    await symlink(join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs'), join(home, 'libs'));
    await mkdir(dataDir);
    const broker = await startLocalBroker({ dataDir, cacheDir: join(home, 'no-cache-used'), kafkaHome: home, say: () => undefined });
    onTestFinished(() => broker.stop());
    expect((await probeCluster(plaintext(broker.brokers))).brokerCount).toBe(1);
  });

  it('says what to do when KAFKA_HOME has no libs/', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'lgsp-test-kafka-home-empty-'));
    onTestFinished(() => rm(empty, { recursive: true, force: true }));
    await expect(startLocalBroker({ dataDir: join(empty, 'data'), cacheDir: empty, kafkaHome: empty, say: () => undefined })).rejects.toThrow(LocalBrokerError);
    await expect(startLocalBroker({ dataDir: join(empty, 'data'), cacheDir: empty, kafkaHome: empty, say: () => undefined })).rejects.toThrow(
      /has no libs\/ folder: point it at an unpacked Apache Kafka distribution/,
    );
  });
});
