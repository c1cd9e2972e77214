/**
 * A local three-broker cluster owned by one test file (`local-cluster.ts`), for tests that kill a
 * broker. Failure detection is shortened so a dead broker is fenced, and its partitions led
 * elsewhere, within a few seconds instead of Kafka's 9 s session and 30 s replica lag.
 * Fresh storage; `stop()` removes it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../../src/kafka/local-cluster.ts';
import { jarsCacheDir } from './own-broker.ts';

const FAST_FAILOVER = {
  'broker.heartbeat.interval.ms': 500,
  'broker.session.timeout.ms': 3_000,
  'replica.lag.time.max.ms': 6_000,
};

export interface OwnCluster {
  readonly cluster: LocalCluster;
  /** Stops every broker and deletes the storage. */
  stop(): Promise<void>;
}

export async function startOwnCluster(size = 3): Promise<OwnCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lgsp-test-kafka-cluster-'));
  const cluster = await startLocalCluster({ dataDir, cacheDir: jarsCacheDir(), size, overrides: FAST_FAILOVER, say: () => undefined }).catch(
    async (err: unknown) => {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    },
  );
  return {
    cluster,
    stop: async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
