import { describe, expect, it } from 'vitest';
import { assembleTrace } from '../../tracking/trace.ts';
import type { AuditEvent } from '../../tracking/audit-event.ts';
import { formatTrace } from './trace.ts';

const hubId = '30e3d7bb-87f9-8c7d-9aef-3a96df778ca5';
const base = { hubId, at: '2025-07-14T08:20:00.000Z' };
const recipient = { connector: 'qn-hong-gai', agency: '000.02.05.H49' };

describe('formatTrace', () => {
  it('shows a retrying recipient, an unreachable agency and a business status in aligned columns', () => {
    const events: AuditEvent[] = [
      {
        ...base,
        kind: 'accepted',
        source: 'urn:lgsp:agency:000.00.15.H49',
        id: 'stp-1',
        type: 'vn.gov.document.sent',
        subject: 's',
        connector: 'qn-stp-eoffice',
        to: '000.02.05.H49,000.00.16.H49',
      },
      {
        ...base,
        at: '2025-07-14T08:20:00.250Z',
        kind: 'routed',
        recipients: [recipient, { connector: 'qn-ubnd', agency: '000.00.00.H49' }],
        unreachable: ['000.00.16.H49'],
      },
      {
        ...base,
        at: '2025-07-14T08:20:01.000Z',
        kind: 'retried',
        ...recipient,
        attempt: 1,
        reason: 'HTTP 503',
        status: 503,
        nextAttemptAt: '2025-07-14T08:20:06.000Z',
      },
      { ...base, at: '2025-07-14T08:20:02.000Z', kind: 'delivered', connector: 'qn-ubnd', agency: '000.00.00.H49', attempt: 1, status: 200, latencyMs: 2000 },
      {
        ...base,
        at: '2025-07-14T08:30:00.000Z',
        kind: 'status-reported',
        agency: '000.00.00.H49',
        statusCode: '03',
        statusName: 'Đã tiếp nhận',
        statusHubId: 'x',
      },
    ];
    expect(formatTrace(assembleTrace(events)!)).toBe(`message   stp-1  (hub id ${hubId})
type      vn.gov.document.sent
source    urn:lgsp:agency:000.00.15.H49  via connector qn-stp-eoffice
subject   s
to        000.02.05.H49,000.00.16.H49
accepted  2025-07-14T08:20:00.000Z

summary: 2 recipients: 1 delivered, 1 received, 1 retrying; 1 unreachable

RECIPIENT    AGENCY         STATE                                     ATTEMPTS  LAST ERROR  BUSINESS STATUS
qn-hong-gai  000.02.05.H49  retrying (next 2025-07-14T08:20:06.000Z)  1         HTTP 503    -
qn-ubnd      000.00.00.H49  delivered                                 1         -           03 Đã tiếp nhận

unreachable (no connector for vn.gov.document.sent): 000.00.16.H49

timeline
TIME                      ELAPSED    EVENT            RECIPIENT    DETAIL
2025-07-14T08:20:00.000Z  +0.000s    accepted         -            from connector qn-stp-eoffice
2025-07-14T08:20:00.250Z  +0.250s    routed           -            to qn-hong-gai (000.02.05.H49), qn-ubnd (000.00.00.H49); unreachable 000.00.16.…
2025-07-14T08:20:01.000Z  +1.000s    retried          qn-hong-gai  attempt 1 failed: HTTP 503; next at 2025-07-14T08:20:06.000Z
2025-07-14T08:20:02.000Z  +2.000s    delivered        qn-ubnd      attempt 1, HTTP 200, 2.0 s after acceptance
2025-07-14T08:30:00.000Z  +600.000s  status-reported  -            000.00.00.H49: 03 Đã tiếp nhận (status message x)`);
  });

  it('says how to find and replay a dead recipient', () => {
    const events: AuditEvent[] = [
      {
        ...base,
        kind: 'accepted',
        source: 'urn:lgsp:agency:000.00.15.H49',
        id: 'stp-2',
        type: 'vn.gov.document.sent',
        subject: 's',
        connector: 'qn-stp-eoffice',
      },
      { ...base, kind: 'routed', recipients: [recipient], unreachable: [] },
      { ...base, kind: 'dead-lettered', ...recipient, attempt: 1, stage: 'deliver', reason: 'HTTP 422', status: 422 },
    ];
    const text = formatTrace(assembleTrace(events)!);
    expect(text).toContain('qn-hong-gai  000.02.05.H49  dead   1         deliver: HTTP 422  -');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'dead-lettered for qn-hong-gai: see why with lgsp dead-letters list --connector qn-hong-gai, then replay it.',
    );
  });

  it("shows the sender's signature as the hub checked it", () => {
    const signature = { status: 'invalid' as const, signer: 'CN=Văn phòng UBND tỉnh Quảng Ninh', reason: 'the signature does not match the signed content' };
    const accepted: AuditEvent = {
      ...base,
      kind: 'accepted',
      source: 'urn:lgsp:agency:000.00.00.H49',
      id: 'vp-1',
      type: 'vn.gov.document.sent',
      subject: 's',
      connector: 'qn-vp',
      signature,
    };
    expect(formatTrace(assembleTrace([accepted])!)).toContain(
      'signature  invalid, signed by CN=Văn phòng UBND tỉnh Quảng Ninh, the signature does not match the signed content',
    );
  });
});
