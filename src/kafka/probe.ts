/**
 * One metadata request with a short-lived, non-retrying client: "does this cluster answer now?"
 * It speaks the security the broker list carries (`withSecurity`). A refused login or an untrusted
 * certificate rejects with a `KafkaSecurityError` that says which variable to check.
 */
import { Kafka, logLevel } from 'kafkajs';
import { kafkaSecurityOptions, securityOf } from './kafka-security.ts';
import { asSecurityError } from './kafka-security-error.ts';

export async function probeCluster(brokers: readonly string[]): Promise<{ brokerCount: number }> {
  const security = securityOf(brokers);
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
