import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig, startTestHub } from '../helpers/hub.ts';
import { testAdmin } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;

describe('a hub whose start fails halfway', () => {
  let taken: Server;
  afterAll(() => new Promise<void>((res) => taken.close(() => res())));

  it('closes every Kafka client and consumer it had opened before the failure', async () => {
    taken = createServer();
    await new Promise<void>((res) => taken.listen(0, '127.0.0.1', res));
    const port = (taken.address() as { port: number }).port;
    const before = tcpSockets();
    const config = testConfig({ PORT: String(port) });

    // Everything up to the HTTP listener starts (admin, registry, views, delivery), then listen fails.
    await expect(startTestHub(config)).rejects.toThrow(/EADDRINUSE/);

    await waitFor("the hub's sockets to close", () => tcpSockets() <= before);
    const admin = await testAdmin();
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(config.topicPrefix));
    expect(groups.length).toBeGreaterThan(0); // the delivery worker and the views had joined
    const described = await admin.describeGroups(groups);
    expect(described.groups.filter((g) => g.members.length > 0).map((g) => g.groupId)).toEqual([]);
  });
});
