/**
 * The safe default sending rule of every message type (SPEC §1 "Sending rights"), declared once per
 * family and derived for a type from what it is: a type whose schema reports a status
 * (`x-lgsp-status-report`) is a status, else its family is its name's prefix. A type of no known
 * family may be sent by nobody until an operator sets its rule: new types start closed.
 */
import type { SchemaSet } from '../contract/schema-set.ts';
import type { SendingRule } from './sending-rule.ts';

export const FAMILIES = {
  status: {
    describe: 'statuses: only from a recipient the original was routed to, back to its sender',
    rule: { from: { answersOriginal: true }, to: ['original-sender'] },
  },
  document: {
    prefix: 'vn.gov.document.',
    describe: 'documents: any connector, to any agency of the directory',
    rule: { from: {}, to: ['directory'] },
  },
  dossier: {
    prefix: 'vn.gov.dossier.',
    describe: "dossier messages: only from one-stop connectors, to the portal or the dossier's agencies",
    rule: { from: { roles: ['one-stop'] }, to: ['national', 'dossier'] },
  },
  record: {
    prefix: 'vn.gov.record.',
    describe: "records: only from the record set's registered source (none until an operator registers one)",
    rule: { from: { registers: {} }, to: ['directory'] },
  },
  closed: {
    describe: 'a type of no known family: nobody, until an operator sets its rule',
    rule: { from: { connectors: [] }, to: [] },
  },
} satisfies Record<string, { prefix?: string; describe: string; rule: SendingRule }>;

export type Family = keyof typeof FAMILIES;

/** The family of `type`: status first (a fact of its schema), then by name. */
export function familyOf(type: string, schemas: Pick<SchemaSet, 'statusReport'>): Family {
  if (schemas.statusReport(type)) return 'status';
  const named = (Object.keys(FAMILIES) as Family[]).find((f) => {
    const family: { prefix?: string; describe: string } = FAMILIES[f];
    return family.prefix !== undefined && type.startsWith(family.prefix);
  });
  return named ?? 'closed';
}

/** The default rule of `type` (a fresh copy: callers may keep it). */
export function defaultRule(type: string, schemas: Pick<SchemaSet, 'statusReport'>): SendingRule {
  return structuredClone(FAMILIES[familyOf(type, schemas)].rule);
}
