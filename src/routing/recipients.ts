/**
 * Who receives a message (pure; the router calls it once per accepted message):
 * - addressed (`to`): the agencies named or selected relative to the source (`parent`, `children`,
 *   `subtree` at any depth, `national`: the directory's national node), and of each agency its
 *   connectors that can receive and subscribe to the type. An addressed agency with no such
 *   connector is `unreachable` (recorded in the trace, never silently dropped);
 * - a reply without `to` (`correlationid` names a message the hub carried): the original sender;
 * - not addressed: every receiving connector whose subscription matches the type and its filter.
 * The connector that handed the message in never receives it back.
 */
import type { AcceptedMessage } from '../contract/kafka-binding.ts';
import { sourceAgency } from '../contract/cloud-event.ts';
import type { ConnectorManifest, SubscriptionFilter } from '../contract/schema-set.ts';
import type { AgencyDirectory } from '../registry/agency-directory.ts';
import { provinceOf } from '../registry/agency-code.ts';
import type { Recipient } from '../tracking/audit-event.ts';

export interface Resolution {
  readonly recipients: Recipient[];
  readonly unreachable: string[];
}

export interface RoutingContext {
  readonly directory: AgencyDirectory;
  /** Registered connectors whose kind can deliver. */
  readonly receivers: readonly ConnectorManifest[];
  /** The agency that sent the message `correlationid` answers, if the hub knows it. */
  readonly originalSender?: string | undefined;
}

export function resolveRecipients({ event, connector: ingestedBy }: AcceptedMessage, { directory, receivers, originalSender }: RoutingContext): Resolution {
  const source = sourceAgency(event.source) ?? '';
  const subscribes = (c: ConnectorManifest) => c.id !== ingestedBy && c.subscriptions.some((s) => s.type === event.type);
  const recipients = new Map<string, Recipient>();
  const unreachable: string[] = [];

  const addressed = event.to ? selectAgencies(event.to.split(','), source, directory) : originalSender ? [originalSender] : undefined;
  if (addressed) {
    for (const agency of addressed) {
      const connectors = receivers.filter((c) => c.agency === agency && subscribes(c));
      if (connectors.length === 0) unreachable.push(agency);
      for (const c of connectors) recipients.set(c.id, { connector: c.id, agency });
    }
  } else {
    for (const c of receivers) {
      const matches = c.subscriptions.some((s) => s.type === event.type && filterMatches(s.filter, source, directory));
      if (c.id !== ingestedBy && matches) recipients.set(c.id, { connector: c.id, agency: c.agency });
    }
  }
  return { recipients: [...recipients.values()], unreachable };
}

/** Agency codes and selectors → distinct agency codes, in the order given. */
function selectAgencies(entries: readonly string[], source: string, directory: AgencyDirectory): string[] {
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
