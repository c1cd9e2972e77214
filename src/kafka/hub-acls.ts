/**
 * The ACLs a hub's principal needs on a cluster with an authorizer, and nothing more: one PREFIXED
 * pattern, LGSP_TOPIC_PREFIX, on its topics, its consumer groups and its transactional ids (every
 * name the hub gives starts with the prefix: `lgsp.ingress`, `lgsp.delivery`,
 * `lgsp.delivery-<uuid>-p0`, ...). No cluster ACL: since Kafka 2.8 (KIP-679) Write on a topic lets
 * a producer be idempotent, without IdempotentWrite on the cluster. The secured local broker grants
 * exactly these; `docs/security.md` lists the same as `kafka-acls.sh` commands for a real cluster.
 */
import kafkajs, { type AclEntry } from 'kafkajs';

// Node's ESM view of kafkajs (CommonJS) names only some of its exports: take the enums from the default.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** `principal` is e.g. `User:hub`; `topicPrefix` is LGSP_TOPIC_PREFIX (not empty). */
export function hubAcls(principal: string, topicPrefix: string): AclEntry[] {
  const allow = (resourceType: kafkajs.AclResourceTypes, operations: kafkajs.AclOperationTypes[]) =>
    operations.map((operation): AclEntry => ({
      resourceType,
      resourceName: topicPrefix,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    }));
  const { READ, WRITE, CREATE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS } = AclOperationTypes;
  return [
    // Configs: the records topics are held to LGSP_RECORDS_RETENTION at start (`topics.ts`).
    ...allow(AclResourceTypes.TOPIC, [READ, WRITE, CREATE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS]),
    ...allow(AclResourceTypes.GROUP, [READ, DESCRIBE]),
    ...allow(AclResourceTypes.TRANSACTIONAL_ID, [WRITE, DESCRIBE]),
  ];
}
