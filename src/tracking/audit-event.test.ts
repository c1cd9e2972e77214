import { describe, expect, it } from 'vitest';
import { acceptedAndRoutedMessage, parseAuditEvents, type AcceptedEvent, type RoutedEvent } from './audit-event.ts';

const hubId = '6f1d2c4e-0d7b-5a51-9b0e-1f3c5a7e9d21';
const at = '2026-12-01T08:00:00.000Z';

describe('records of lgsp.events (written by hand)', () => {
  it('reads an accepted record that carries its routing as two events', () => {
    const value = Buffer.from(
      `{"kind":"accepted","hubId":"${hubId}","at":"${at}","source":"urn:lgsp:agency:000.00.15.H49","id":"doc-1",` +
        `"type":"vn.gov.document.sent","subject":"cv-123","connector":"qn-stp-eoffice",` +
        `"routed":{"at":"${at}","recipients":[{"connector":"qn-ubnd-eoffice","agency":"000.00.00.H49"}],"unreachable":[]}}`,
    );
    const [accepted, routed, ...rest] = parseAuditEvents(value);
    expect(accepted).toEqual({
      kind: 'accepted',
      hubId,
      at,
      source: 'urn:lgsp:agency:000.00.15.H49',
      id: 'doc-1',
      type: 'vn.gov.document.sent',
      subject: 'cv-123',
      connector: 'qn-stp-eoffice',
    });
    expect(routed).toEqual({ kind: 'routed', hubId, at, recipients: [{ connector: 'qn-ubnd-eoffice', agency: '000.00.00.H49' }], unreachable: [] });
    expect(rest).toEqual([]);
  });

  it('reads the records written one an event, before accepted and routed were joined', () => {
    const accepted = '{"kind":"accepted","hubId":"h","at":"2026-11-01T00:00:00Z","source":"s","id":"i","type":"t","subject":"x","connector":"c"}';
    const routed = '{"kind":"routed","hubId":"h","at":"2026-11-01T00:00:00Z","recipients":[],"unreachable":["000.00.05.H49"]}';
    expect(parseAuditEvents(Buffer.from(accepted))).toHaveLength(1);
    expect(parseAuditEvents(Buffer.from(routed))).toEqual([JSON.parse(routed)]);
    expect(parseAuditEvents(null)).toEqual([]);
  });

  it('writes both in one record that reads back as both', () => {
    const accepted: AcceptedEvent = { kind: 'accepted', hubId, at, source: 's', id: 'i', type: 't', subject: 'x', connector: 'c' };
    const routed: RoutedEvent = { kind: 'routed', hubId, at, recipients: [], unreachable: ['A'], unreachableReasons: { A: 'no connector' } };
    const record = acceptedAndRoutedMessage(accepted, routed);
    expect(record.key).toBe(hubId);
    expect(record.headers).toEqual({ lgsp_kind: 'accepted' });
    expect(parseAuditEvents(Buffer.from(record.value as string))).toEqual([accepted, routed]);
  });
});
