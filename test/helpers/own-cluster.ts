/**
 * A local three-broker cluster owned by one test file (`local-cluster.ts`), for tests that kill a
 * broker. Failure detection is shortened so a dead broker is fenced, and its partitions led
 * elsewhere, within a few seconds instead of Kafka's 9 s session and 30 s replica lag.
 * Fresh storage; `stop()` removes it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../../src/kafka/local-cluster.ts';
import { jarsCacheDir } from './own-broker.ts';

const FAST_FAILOVER = {
  'broker.heartbeat.interval.ms': 500,
  'broker.session.timeout.ms': 3_000,
  'replica.lag.time.max.ms': 6_000,
};

/**
 * Lines of a broker log that tell a failover: the controllers' quorum changing hands, the active
 * controller fencing a broker, the group and transaction coordinators moving (their loading).
 */
const FAILOVER_LINE =
  /Completed transition to|active controller|Fencing broker|to unfence has been granted|Scheduling (un)?loading|Finished loading|transaction metadata/i;
/** The last this many such lines of each node are enough to follow one failover. */
const FAILOVER_LINES = 80;

export interface OwnCluster {
  readonly cluster: LocalCluster;
  /** Each node's last lines about failover (`FAILOVER_LINE`), to print when a test of one failed. */
  failoverLog(): Promise<string>;
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
    failoverLog: async () => {
      const logs = await Promise.all(
        cluster.nodes.map(async (node) => {
          const text = await readFile(node.logFile, 'utf8').catch(() => '');
          const lines = text.split('\n').filter((line) => FAILOVER_LINE.test(line));
          return `Broker ${node.nodeId} (${node.running ? 'running' : 'killed'}), the last ${Math.min(lines.length, FAILOVER_LINES)} failover lines of ${node.logFile}:\n${lines.slice(-FAILOVER_LINES).join('\n')}`;
        }),
      );
      return logs.join('\n\n');
    },
    stop: async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
