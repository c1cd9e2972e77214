/**
 * The canonical message: a CloudEvents 1.0 event as the hub accepts it (`schemas/envelope.schema.json`).
 * Structured JSON mode on HTTP; binary mode on Kafka (`ce_` headers, `data` as the value).
 */
export interface CloudEvent {
  readonly specversion: '1.0';
  /** Unique per `source`, chosen by the sender. */
  readonly id: string;
  /** `urn:lgsp:agency:<agency code>`: the sending agency. */
  readonly source: string;
  readonly type: string;
  /** The business key that orders related messages; the Kafka key on `lgsp.ingress`. */
  readonly subject: string;
  readonly time?: string;
  readonly dataschema?: string;
  readonly datacontenttype?: 'application/json';
  /** Recipients: agency codes and selectors (`parent`, `children`, `subtree`, `national`), comma-separated. */
  readonly to?: string;
  /** The id of the message this one answers. */
  readonly correlationid?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export const AGENCY_URN_PREFIX = 'urn:lgsp:agency:';

export function agencySource(code: string): string {
  return `${AGENCY_URN_PREFIX}${code}`;
}

/** The agency code in a `source`, or undefined when the source is not an agency URN. */
export function sourceAgency(source: string): string | undefined {
  return source.startsWith(AGENCY_URN_PREFIX) ? source.slice(AGENCY_URN_PREFIX.length) : undefined;
}
