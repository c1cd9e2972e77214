/** One metadata request with a short-lived, non-retrying client: "does this cluster answer now?" */
import { Kafka, logLevel } from 'kafkajs';

export async function probeCluster(brokers: readonly string[]): Promise<{ brokerCount: number }> {
  const kafka = new Kafka({ brokers: [...brokers], clientId: 'lgsp-probe', logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1_000 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: members } = await admin.describeCluster();
    return { brokerCount: members.length };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
