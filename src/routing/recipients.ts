/**
 * Who receives a message (pure; the router calls it once per accepted message), SPEC §1 "Receiving":
 * - addressed (`to`): the agencies named or selected relative to the source (`parent`, `children`,
 *   `subtree` at any depth, `national`: the directory's national node), and of each agency every
 *   connector that accepts the type (`ConnectorKinds.acceptedTypes`: its kind's types, narrowed by
 *   its `accepts`); subscriptions play no part. An addressed agency with no such connector is
 *   `unreachable`, with the reason (recorded in the trace, never silently dropped);
 * - a reply without `to` (`correlationid` names a message the hub carried): the original sender's
 *   agency, as if addressed;
 * - not addressed: every receiving connector whose subscription matches the type and its filter.
 * The connector that handed the message in never receives it back. A connector is a recipient once.
 */
import type { AcceptedMessage } from '../contract/kafka-binding.ts';
import { sourceAgency } from '../contract/cloud-event.ts';
import type { ConnectorManifest, SubscriptionFilter } from '../contract/schema-set.ts';
import type { AgencyDirectory } from '../registry/agency-directory.ts';
import { provinceOf } from '../registry/agency-code.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { Recipient } from '../tracking/audit-event.ts';

export interface Resolution {
  readonly recipients: Recipient[];
  /** Addressed agencies without a connector that accepts the type. */
  readonly unreachable: string[];
  /** Why, per unreachable agency: "000.00.05.H49 has no connector that accepts vn.gov.document.sent". */
  readonly reasons: Record<string, string>;
}

/** A registered connector the hub can deliver to, and the types it accepts addressed to its agency. */
export interface Receiver {
  readonly manifest: ConnectorManifest;
  readonly accepts: ReadonlySet<string>;
}

/** The connectors of `manifests` the hub can deliver to, each with the types it accepts addressed to its agency. */
export function receiversOf(manifests: readonly ConnectorManifest[], kinds: Pick<ConnectorKinds, 'receives' | 'acceptedTypes'>): Receiver[] {
  return manifests.filter((m) => kinds.receives(m)).map((manifest) => ({ manifest, accepts: new Set(kinds.acceptedTypes(manifest)) }));
}

export interface RoutingContext {
  readonly directory: AgencyDirectory;
  /** Registered connectors the hub can deliver to (`ConnectorKinds.receives`). */
  readonly receivers: readonly Receiver[];
  /** The agency that sent the message `correlationid` answers, if the hub knows it. */
  readonly originalSender?: string | undefined;
}

export function resolveRecipients({ event, connector: ingestedBy }: AcceptedMessage, { directory, receivers, originalSender }: RoutingContext): Resolution {
  const source = sourceAgency(event.source) ?? '';
  const recipients = new Map<string, Recipient>();
  const reasons: Record<string, string> = {};

  const addressed = event.to ? selectAgencies(event.to.split(','), source, directory) : originalSender ? [originalSender] : undefined;
  if (addressed) {
    for (const agency of addressed) {
      const accepting = receivers.filter((r) => r.manifest.agency === agency && r.accepts.has(event.type)).map((r) => r.manifest.id);
      const connectors = accepting.filter((id) => id !== ingestedBy);
      if (connectors.length === 0)
        reasons[agency] = `${agency} has no connector that accepts ${event.type}${accepting.length > 0 ? ' other than the sender' : ''}`;
      for (const id of connectors) recipients.set(id, { connector: id, agency });
    }
  } else {
    for (const { manifest: c } of receivers) {
      const matches = c.subscriptions.some((s) => s.type === event.type && filterMatches(s.filter, source, directory));
      if (c.id !== ingestedBy && matches) recipients.set(c.id, { connector: c.id, agency: c.agency });
    }
  }
  return { recipients: [...recipients.values()], unreachable: Object.keys(reasons), reasons };
}

/** Agency codes and selectors → distinct agency codes, in the order given (also what sending rights check, `src/policy/`). */
export function selectAgencies(entries: readonly string[], source: string, directory: AgencyDirectory): string[] {
  const codes = entries.flatMap((entry): string[] => {
    switch (entry) {
      case 'parent':
        return [directory.parentOf(source)?.code].filter((c): c is string => c !== undefined);
      case 'children':
        return directory.childrenOf(source).map((a) => a.code);
      case 'subtree':
        return directory.subtreeOf(source).map((a) => a.code);
      case 'national':
        return directory.national ? [directory.national.code] : [];
      default:
        return [entry];
    }
  });
  return [...new Set(codes)].filter((code) => code !== source);
}

function filterMatches(filter: SubscriptionFilter | undefined, source: string, directory: AgencyDirectory): boolean {
  if (!filter) return true;
  return (
    (filter.source === undefined || filter.source === source) &&
    (filter.sourceLevel === undefined || filter.sourceLevel === directory.levelOf(source)) &&
    (filter.sourceProvince === undefined || filter.sourceProvince === provinceOf(source))
  );
}
