/**
 * The names of the hub's own Kafka record headers (`lgsp_*`), declared once. The CloudEvents
 * attributes travel as `ce_*` headers (`kafka-binding.ts`); these say what the hub knows besides.
 * Changing a name here changes the wire format of records already in the topics: add, never rename.
 */
export const HEADER = {
  /** Every message record: the hub's id, the sending connector, when the hub accepted it. */
  hubId: 'lgsp_hubid',
  connector: 'lgsp_connector',
  acceptedAt: 'lgsp_acceptedat',
  /** The hub's JWS over the message as accepted (`hub-signature.ts`); absent on records written before the hub signed. */
  hubSignature: 'lgsp_hub_signature',
  /** The sender's own JWS over the message (`sender-signature.ts`), when its connector registered keys. */
  senderSignature: 'lgsp_sender_signature',
  /** Delivery records (`lgsp.deliveries`, retry tiers, dead letters of stage `deliver`). */
  recipient: 'lgsp_recipient',
  recipientAgency: 'lgsp_recipient_agency',
  attempt: 'lgsp_attempt',
  dueAt: 'lgsp_due_at',
  parked: 'lgsp_parked',
  history: 'lgsp_history',
  /**
   * Dedupe records (`lgsp.dedupe`): on a record that marks every message of one ingest write at
   * once, how many (its value: a JSON array of their `source\nid` keys). A record without it
   * marks its own key (as written before marks were grouped).
   */
  dedupeMarks: 'lgsp_dedupe_marks',
  /** Hold records (`lgsp.holds`): the sequence number of the hold's last change. */
  holdSeq: 'lgsp_seq',
  /** Audit events (`lgsp.events`): the event's kind, readable without parsing the value. */
  auditKind: 'lgsp_kind',
  /** Records of `lgsp.events`, `lgsp.audit` and `lgsp.service-calls`: the writer's hash chain (`src/tracking/chain.ts`). */
  chain: 'lgsp_chain',
  chainSeq: 'lgsp_chain_seq',
  chainPrev: 'lgsp_chain_prev',
  /** A signed checkpoint of the chain (compact JWS by the hub's key), on some chained records. */
  chainSignature: 'lgsp_chain_sig',
} as const;

/**
 * Dead-letter headers (Kafka Connect's `DeadLetterQueueReporter`): why and where a record failed,
 * and where it came from (the original topic, partition and offset, when it was read from Kafka).
 */
export const DLQ_HEADER = {
  stage: 'lgsp_dlq_stage',
  connector: 'lgsp_dlq_connector',
  reason: 'lgsp_dlq_reason',
  at: 'lgsp_dlq_at',
  /** The recipient's HTTP status and the start of its answer (stage `deliver`). */
  status: 'lgsp_dlq_status',
  response: 'lgsp_dlq_response',
  topic: 'lgsp_dlq_topic',
  partition: 'lgsp_dlq_partition',
  offset: 'lgsp_dlq_offset',
} as const;
