/**
 * One metadata request with a short-lived, non-retrying client: "does this cluster answer now?"
 * It speaks the cluster's security settings. A refused login or an untrusted
 * certificate rejects with a `KafkaSecurityError` that says which variable to check.
 */
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSecurityOptions, type KafkaCluster } from './kafka-security.ts';
import { asSecurityError } from './kafka-security-error.ts';
import './kafkajs-request-queue.ts';

export async function probeCluster({ brokers, security }: KafkaCluster): Promise<{ brokerCount: number }> {
  const kafka = new Kafka({
    brokers: [...brokers],
    clientId: 'lgsp-probe',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
    ...kafkaSecurityOptions(security),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: members } = await admin.describeCluster();
    return { brokerCount: members.length };
  } catch (err) {
    throw asSecurityError(err, security) ?? err;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
