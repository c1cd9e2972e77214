import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../contract/cloud-event.ts';
import { SchemaSet, type AgencyRecord } from '../contract/schema-set.ts';
import { AgencyDirectory } from '../registry/agency-directory.ts';
import { defaultRule, familyOf } from './defaults.ts';
import { evaluate, type EvaluationContext } from './evaluate.ts';
import type { SendingRule } from './sending-rule.ts';

const directory = AgencyDirectory.from(JSON.parse(readFileSync('directory/demo-province.json', 'utf8')) as AgencyRecord[]);
const schemas = await SchemaSet.load();
const PROVINCE = '000.00.00.H49';
const HA_LONG = '000.00.05.H49';
const BAI_CHAY = '000.01.05.H49';
const QUAN_LAN = '000.01.09.H49';
const NATIONAL = '000.00.00.G22';

const event = (type: string, source: string, extra: Partial<CloudEvent> = {}): CloudEvent =>
  ({ specversion: '1.0', id: 'm-1', source: `urn:lgsp:agency:${source}`, type, subject: 'S-1', data: {}, ...extra }) as CloudEvent;
const ctx = (extra: Partial<EvaluationContext> = {}): EvaluationContext => ({
  sender: { id: 'c-1', kind: 'webhook', roles: [] },
  directory,
  answered: undefined,
  dossierAgencies: () => new Set(),
  ...extra,
});
const check = (e: CloudEvent, c: EvaluationContext = ctx(), rule = defaultRule(e.type, schemas)) => evaluate(rule, e, c);

describe('the default rules', () => {
  it('derive a family for every known type: statuses by their schema, the rest by name', () => {
    const families = Object.fromEntries(schemas.messageTypes.map((t) => [t, familyOf(t, schemas)]));
    expect(families).toEqual({
      'vn.gov.document.replaced': 'document',
      'vn.gov.document.revoked': 'document',
      'vn.gov.document.sent': 'document',
      'vn.gov.document.status': 'status',
      'vn.gov.document.updated': 'document',
      'vn.gov.dossier.status': 'dossier',
      'vn.gov.dossier.transferred': 'dossier',
      'vn.gov.record.synced': 'record',
    });
    expect(familyOf('vn.gov.permit.issued', schemas)).toBe('closed');
  });

  it('documents: any connector, to any agency of the directory and any selector', () => {
    expect(check(event('vn.gov.document.sent', PROVINCE, { to: `subtree,national,${QUAN_LAN}` }))).toBeUndefined();
    expect(check(event('vn.gov.document.revoked', BAI_CHAY, { to: 'parent' }))).toBeUndefined();
    expect(check(event('vn.gov.document.sent', PROVINCE))).toBeUndefined();
  });

  it('dossier messages: only from a one-stop connector', () => {
    const status = event('vn.gov.dossier.status', BAI_CHAY, { to: 'national' });
    expect(check(status)).toMatchObject({ part: 'from.roles', reason: 'connector "c-1" has no role, not one-stop', mayChange: false });
    expect(check(status, ctx({ sender: { id: 'c-1', kind: 'webhook', roles: ['one-stop'] } }))).toBeUndefined();
  });

  it("dossier messages: to the portal or the dossier's agencies, which the view may still learn", () => {
    const oneStop = { sender: { id: 'c-1', kind: 'webhook', roles: ['one-stop'] } };
    const status = event('vn.gov.dossier.status', HA_LONG, { to: `national,${BAI_CHAY}` });
    expect(check(status, ctx(oneStop))).toMatchObject({ part: 'to', reason: `${BAI_CHAY} is none of national, dossier`, mayChange: true });
    expect(check(status, ctx({ ...oneStop, dossierAgencies: () => new Set([BAI_CHAY]) }))).toBeUndefined();
    expect(check(event('vn.gov.dossier.status', HA_LONG, { to: 'subtree' }), ctx(oneStop))).toMatchObject({
      part: 'to',
      reason: expect.stringContaining('(selected by "subtree")') as string,
    });
  });

  it('records: only from the source registered for the record set; none by default', () => {
    const record = event('vn.gov.record.synced', PROVINCE, { data: { register: 'don-vi-hanh-chinh', key: 'k', version: 1, operation: 'delete' } });
    expect(check(record)).toMatchObject({ part: 'from.registers', reason: 'register "don-vi-hanh-chinh" has no registered source, not connector "c-1"' });
    const registered: SendingRule = { from: { registers: { 'don-vi-hanh-chinh': ['c-1'] } }, to: ['directory'] };
    expect(check(record, ctx(), registered)).toBeUndefined();
    expect(check(record, ctx({ sender: { id: 'c-2', kind: 'webhook', roles: [] } }), registered)).toMatchObject({ part: 'from.registers' });
  });

  it('statuses: only answering a message routed to the sender, back to its sender', () => {
    const status = event('vn.gov.document.status', BAI_CHAY, { correlationid: 'doc-1' });
    expect(check(status)).toMatchObject({ part: 'correlationid', mayChange: true });
    expect(check(status, ctx({ answered: { sourceAgency: PROVINCE } }))).toBeUndefined();
    expect(check({ ...status, to: PROVINCE }, ctx({ answered: { sourceAgency: PROVINCE } }))).toBeUndefined();
    expect(check({ ...status, to: HA_LONG }, ctx({ answered: { sourceAgency: PROVINCE } }))).toMatchObject({ part: 'to', mayChange: false });
    const { correlationid: _, ...unanswering } = status;
    expect(check(unanswering)).toMatchObject({ part: 'from.answersOriginal', mayChange: false });
  });

  it('a type of no known family: nobody', () => {
    expect(check(event('vn.gov.permit.issued', PROVINCE))).toMatchObject({ part: 'from.connectors' });
  });
});

describe('operator rules', () => {
  it('a reply is held to its original whatever the rule says', () => {
    const reply = event('vn.gov.document.sent', BAI_CHAY, { correlationid: 'doc-1' });
    expect(check(reply, ctx(), { from: {}, to: ['directory'] })).toMatchObject({ part: 'correlationid' });
  });

  it('every sender condition given must hold', () => {
    const rule: SendingRule = { from: { kinds: ['edxml'], levels: ['commune'] }, to: ['directory'] };
    const e = event('vn.gov.document.sent', BAI_CHAY);
    expect(check(e, ctx({ sender: { id: 'c-1', kind: 'edxml', roles: [] } }), rule)).toBeUndefined();
    expect(check(e, ctx(), rule)).toMatchObject({ part: 'from.kinds' });
    expect(check(event('vn.gov.document.sent', HA_LONG), ctx({ sender: { id: 'c-1', kind: 'edxml', roles: [] } }), rule)).toMatchObject({
      part: 'from.levels',
      reason: `${HA_LONG} is of level district, not commune`,
    });
    expect(check(e, ctx(), { from: { connectors: ['c-2'] }, to: ['directory'] })).toMatchObject({ part: 'from.connectors' });
  });

  it('recipients: codes, the national node and the subtree of the sender', () => {
    const rule: SendingRule = { from: {}, to: ['subtree', PROVINCE, 'national'] };
    expect(check(event('vn.gov.document.sent', HA_LONG, { to: `children,${PROVINCE},${NATIONAL}` }), ctx(), rule)).toBeUndefined();
    expect(check(event('vn.gov.document.sent', HA_LONG, { to: QUAN_LAN }), ctx(), rule)).toMatchObject({ part: 'to' });
  });
});
