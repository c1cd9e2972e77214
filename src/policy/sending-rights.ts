/**
 * Sending rights at the front door (SPEC §1): the intake hands every valid event of a request here
 * before anything is written. Each type's effective rule is the operator's (`policy/<type>` in the
 * registry) or else its default (`defaults.ts`); one refused event refuses the request, as any
 * other problem of a batch does, with `403 send-not-allowed` naming the rule.
 *
 * What the hub knows of earlier messages (the trace view, which follows `lgsp.events`) may lag the
 * sender by a moment: the recipient of a document can answer it before this instance has read that
 * it was routed. A refusal that reading on may lift is checked again for up to VIEW_WAIT_MS; a
 * reply to a message the hub never routed to its sender (forged, or older than the view keeps) is
 * then refused for good: retrying the same request would not help.
 */
import { sourceAgency, type CloudEvent } from '../contract/cloud-event.ts';
import { HubError } from '../contract/problems.ts';
import type { SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import type { ConnectorIdentity } from '../registry/connector-credentials.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { TraceView } from '../tracking/trace-view.ts';
import { defaultRule, FAMILIES, familyOf } from './defaults.ts';
import { evaluate, type EvaluationContext, type Refusal, type RulePart } from './evaluate.ts';
import type { SendingRule } from './sending-rule.ts';

/** How long a refusal the trace view may lift is re-checked, and how often. */
export const VIEW_WAIT_MS = 3_000;
const VIEW_POLL_MS = 50;

/** The rule a type is held to now, and where it comes from. */
export interface EffectiveRule {
  readonly type: string;
  readonly rule: SendingRule;
  /** `default`: the type family's (`describe` says which); `operator`: set through the API. */
  readonly origin: 'default' | 'operator';
  readonly describe?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export interface SendingRightsParts {
  readonly registry: Pick<RegistryStore, 'policy' | 'connector' | 'directory'>;
  readonly schemas: Pick<SchemaSet, 'statusReport'>;
  readonly traces: Pick<TraceView, 'routedTo' | 'agenciesAbout'>;
}

/** Agency fields of a message's `data` that name the case's agencies (`dossier` scope): the hand-over's parties. */
const CASE_AGENCY_FIELDS = ['fromAgency', 'toAgency'] as const;

/** The field each part of a rule is about, for `errors[].path`. */
const PATHS: Readonly<Record<RulePart, string>> = {
  correlationid: '/correlationid',
  'from.connectors': '/source',
  'from.kinds': '/source',
  'from.levels': '/source',
  'from.roles': '/source',
  'from.registers': '/data/register',
  'from.answersOriginal': '/correlationid',
  to: '/to',
};

export class SendingRights {
  private readonly parts: SendingRightsParts;

  constructor(parts: SendingRightsParts) {
    this.parts = parts;
  }

  effective(type: string): EffectiveRule {
    const stored = this.parts.registry.policy(type);
    if (stored) return { type, rule: stored.rule, origin: 'operator', updatedAt: stored.updatedAt, updatedBy: stored.updatedBy };
    return { type, rule: defaultRule(type, this.parts.schemas), origin: 'default', describe: FAMILIES[familyOf(type, this.parts.schemas)].describe };
  }

  /** Throws `send-not-allowed` (nothing written) when a rule refuses any of `events` (valid, of known types). */
  async check(connector: ConnectorIdentity, events: readonly CloudEvent[], prefixPaths: boolean): Promise<void> {
    const deadline = Date.now() + VIEW_WAIT_MS;
    let refusals = this.refusals(connector, events);
    while (refusals.length > 0 && refusals.every(({ refusal }) => refusal.mayChange) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, VIEW_POLL_MS));
      refusals = this.refusals(connector, events);
    }
    if (refusals.length === 0) return;

    const errors: ValidationIssue[] = refusals.map(({ index, event, refusal }) => ({
      path: `${prefixPaths ? `/${index}` : ''}${PATHS[refusal.part]}`,
      message: `${event.type}: ${refusal.part}: ${refusal.reason}`,
    }));
    const [{ index, event, refusal }] = refusals as [(typeof refusals)[number]];
    const { origin, describe } = this.effective(event.type);
    const rule = origin === 'default' ? `the default rule (${describe})` : 'the rule an operator set';
    const where = prefixPaths ? ` (event ${index})` : '';
    throw new HubError(
      'send-not-allowed',
      `${event.type} from connector "${connector.id}" refused by ${rule}${where}: ${refusal.part}: ${refusal.reason}. ${remedy(refusal.part, event.type)}`,
      { errors },
    );
  }

  private refusals(connector: ConnectorIdentity, events: readonly CloudEvent[]): { index: number; event: CloudEvent; refusal: Refusal }[] {
    const manifest = this.parts.registry.connector(connector.id)?.manifest;
    const sender = { id: connector.id, kind: manifest?.kind ?? '', roles: manifest?.roles ?? [] };
    const directory = this.parts.registry.directory();
    return events.flatMap((event, index) => {
      const ctx: EvaluationContext = {
        sender,
        directory,
        answered:
          event.correlationid === undefined ? undefined : this.parts.traces.routedTo(event.correlationid, sourceAgency(event.source) ?? '', connector.id),
        dossierAgencies: () => this.caseAgencies(event),
      };
      const refusal = evaluate(this.effective(event.type).rule, event, ctx);
      return refusal ? [{ index, event, refusal }] : [];
    });
  }

  /** The `dossier` scope of `event`: the agencies of earlier messages of its family about its subject, and those its data names. */
  private caseAgencies(event: CloudEvent): Set<string> {
    const { schemas, traces } = this.parts;
    const family = familyOf(event.type, schemas);
    const agencies = traces.agenciesAbout(event.subject, (type) => familyOf(type, schemas) === family);
    for (const field of CASE_AGENCY_FIELDS) {
      const code = event.data[field];
      if (typeof code === 'string') agencies.add(code);
    }
    return agencies;
  }
}

/** What the sender or an operator can do about a refusal by `part`. */
function remedy(part: RulePart, type: string): string {
  const change = `an operator may change the rule: lgsp policies set ${type} <rule.json> (lgsp policies show ${type} shows it)`;
  switch (part) {
    case 'correlationid':
      return 'A status or reply is accepted only from a recipient the original message was routed to: answer a message you received, with its id as correlationid';
    case 'from.answersOriginal':
      return `Send it with correlationid = the id of the message it answers, or ${change}`;
    case 'from.roles':
      return `If this connector is such a system, an operator gives it the role (manifest "roles", PUT /v1/connectors/{id}); or ${change}`;
    case 'from.registers':
      return `An operator registers the record set's source: lgsp policies set ${type} <rule.json> with from.registers {"<register>": ["<connector id>"]}`;
    default:
      return `Send only what the rule allows, or ${change}`;
  }
}
