/**
 * The ACLs a hub's principal needs on a cluster with an authorizer, and nothing more: its topics
 * and consumer groups (PREFIXED on LGSP_TOPIC_PREFIX), its transactional ids and IdempotentWrite on
 * the cluster. The secured local broker grants exactly these; `docs/security.md` lists the same as
 * `kafka-acls.sh` commands for a real cluster.
 */
import kafkajs, { type AclEntry } from 'kafkajs';

// Node's ESM view of kafkajs (CommonJS) names only some of its exports: take the enums from the default.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * Prefixes of the transactional ids the hub uses besides `<topic prefix>router-…` and
 * `<topic prefix>delivery-…`: the ingest writer's and the dead-letter replayer's.
 */
export const FIXED_TRANSACTIONAL_ID_PREFIXES = ['lgsp-ingress-', 'lgsp-replay-'] as const;

/** `principal` is e.g. `User:hub`; `topicPrefix` is LGSP_TOPIC_PREFIX (not empty). */
export function hubAcls(principal: string, topicPrefix: string): AclEntry[] {
  const allow = (
    resourceType: kafkajs.AclResourceTypes,
    resourceName: string,
    operations: kafkajs.AclOperationTypes[],
    pattern = ResourcePatternTypes.PREFIXED,
  ) =>
    operations.map((operation): AclEntry => ({
      resourceType,
      resourceName,
      resourcePatternType: pattern,
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    }));
  const { READ, WRITE, CREATE, DESCRIBE, IDEMPOTENT_WRITE } = AclOperationTypes;
  return [
    ...allow(AclResourceTypes.TOPIC, topicPrefix, [READ, WRITE, CREATE, DESCRIBE]),
    ...allow(AclResourceTypes.GROUP, topicPrefix, [READ, DESCRIBE]),
    ...[topicPrefix, ...FIXED_TRANSACTIONAL_ID_PREFIXES].flatMap((p) => allow(AclResourceTypes.TRANSACTIONAL_ID, p, [WRITE, DESCRIBE])),
    ...allow(AclResourceTypes.CLUSTER, 'kafka-cluster', [IDEMPOTENT_WRITE], ResourcePatternTypes.LITERAL),
  ];
}
