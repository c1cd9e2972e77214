/**
 * Whether a sending rule allows one message (pure; the intake's `SendingRights` calls it per event
 * after the event is valid). Besides the rule, one check no rule lifts (SPEC §1): a reply, any
 * message with `correlationid`, must answer a message the hub routed to the sender.
 */
import { sourceAgency, type CloudEvent } from '../contract/cloud-event.ts';
import type { AgencyDirectory } from '../registry/agency-directory.ts';
import { selectAgencies } from '../routing/recipients.ts';
import type { RecipientScope, SendingRule } from './sending-rule.ts';

/** The connector that hands the message in, as its manifest says. */
export interface SenderFacts {
  readonly id: string;
  readonly kind: string;
  readonly roles: readonly string[];
}

export interface EvaluationContext {
  readonly sender: SenderFacts;
  readonly directory: AgencyDirectory;
  /** For a message with `correlationid`: the sender of the original the hub routed to this sender, if it knows one. */
  readonly answered: { readonly sourceAgency: string } | undefined;
  /** The agencies of the `dossier` scope for this message (asked only when a rule names it). */
  dossierAgencies(): ReadonlySet<string>;
}

/** The part of a rule that refused, and why. */
export type RulePart = 'correlationid' | 'from.connectors' | 'from.kinds' | 'from.levels' | 'from.roles' | 'from.registers' | 'from.answersOriginal' | 'to';

export interface Refusal {
  readonly part: RulePart;
  readonly reason: string;
  /** True when the hub's view of earlier messages, read a moment later, may allow it (an original or a dossier message not read yet). */
  readonly mayChange: boolean;
}

/** The first refusal of `event` under `rule`, or undefined when it may be sent. */
export function evaluate(rule: SendingRule, event: CloudEvent, ctx: EvaluationContext): Refusal | undefined {
  return replyRefusal(event, ctx) ?? senderRefusal(rule, event, ctx) ?? recipientRefusal(rule, event, ctx);
}

function replyRefusal(event: CloudEvent, ctx: EvaluationContext): Refusal | undefined {
  if (event.correlationid === undefined || ctx.answered) return undefined;
  return {
    part: 'correlationid',
    reason: `it answers "${event.correlationid}", and the hub knows no message with that id it routed to ${sourceAgency(event.source)} or to connector "${ctx.sender.id}"`,
    mayChange: true,
  };
}

function senderRefusal({ from }: SendingRule, event: CloudEvent, { sender, directory, answered }: EvaluationContext): Refusal | undefined {
  const refuse = (part: RulePart, reason: string): Refusal => ({ part, reason, mayChange: false });
  const source = sourceAgency(event.source) ?? '';
  if (from.connectors && !from.connectors.includes(sender.id))
    return refuse('from.connectors', `connector "${sender.id}" is not one of ${list(from.connectors)}`);
  if (from.kinds && !from.kinds.includes(sender.kind))
    return refuse('from.kinds', `connector "${sender.id}" is of kind ${sender.kind}, not ${list(from.kinds)}`);
  const level = directory.levelOf(source);
  if (from.levels && !(level && from.levels.includes(level)))
    return refuse('from.levels', `${source} is ${level ? `of level ${level}` : 'not in the directory'}, not ${list(from.levels)}`);
  if (from.roles && !from.roles.some((r) => sender.roles.includes(r)))
    return refuse(
      'from.roles',
      `connector "${sender.id}" has ${sender.roles.length > 0 ? `the roles ${list(sender.roles)}` : 'no role'}, not ${list(from.roles)}`,
    );
  if (from.registers) {
    const register = event.data.register;
    if (typeof register !== 'string') return refuse('from.registers', 'its data names no register');
    const sources = from.registers[register] ?? [];
    if (!sources.includes(sender.id))
      return refuse(
        'from.registers',
        `register "${register}" ${sources.length > 0 ? `has the source ${list(sources)}` : 'has no registered source'}, not connector "${sender.id}"`,
      );
  }
  if (from.answersOriginal && !answered) return refuse('from.answersOriginal', 'it answers no message (no correlationid)');
  return undefined;
}

function recipientRefusal(rule: SendingRule, event: CloudEvent, ctx: EvaluationContext): Refusal | undefined {
  if (!event.to) return undefined;
  const source = sourceAgency(event.source) ?? '';
  for (const entry of event.to.split(',')) {
    const refused = selectAgencies([entry], source, ctx.directory).find((code) => !rule.to.some((scope) => recipientAllowed(scope, code, source, ctx)));
    if (refused !== undefined) {
      const named = entry === refused ? refused : `${refused} (selected by "${entry}")`;
      return {
        part: 'to',
        reason: `${named} is none of ${rule.to.length > 0 ? list(rule.to) : 'nothing (the rule allows no recipient)'}`,
        mayChange: rule.to.includes('dossier'),
      };
    }
  }
  return undefined;
}

function recipientAllowed(scope: RecipientScope | string, code: string, source: string, ctx: EvaluationContext): boolean {
  switch (scope) {
    case 'directory':
      return ctx.directory.has(code);
    case 'national':
      return ctx.directory.national?.code === code;
    case 'subtree':
      return ctx.directory.ancestorsOf(code).some((a) => a.code === source);
    case 'dossier':
      return ctx.dossierAgencies().has(code);
    case 'original-sender':
      return ctx.answered?.sourceAgency === code;
    default:
      return scope === code;
  }
}

function list(items: readonly string[]): string {
  return items.join(', ');
}
