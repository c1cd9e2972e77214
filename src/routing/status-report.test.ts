import { beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../connectors/index.ts';
import type { ConnectorAdapter } from '../../connectors/kit/adapter.ts';
import type { CloudEvent } from '../contract/cloud-event.ts';
import { SchemaSet } from '../contract/schema-set.ts';
import { statusReported } from './status-report.ts';

let schemas: SchemaSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
});

const event = (type: string, data: Record<string, unknown>): CloudEvent =>
  ({ specversion: '1.0', id: 's-1', source: 'urn:lgsp:agency:000.01.05.H49', type, subject: 'doc', correlationid: 'doc-1', data }) as CloudEvent;
const input = (e: CloudEvent) => ({ event: e, hubId: 'status-hub', agency: '000.01.05.H49', originalHubId: 'doc-hub', at: '2025-07-14T08:00:00.000Z' });

describe('statusReported', () => {
  it('reports the types whose schema says so, and only those', () => {
    expect(schemas.messageTypes.filter((t) => schemas.statusReport(t))).toEqual(['vn.gov.document.status']);
    expect(statusReported(input(event('vn.gov.document.sent', { statusCode: '03' })), schemas, ADAPTERS)).toBeUndefined();
  });

  it('keeps the name the status carries', () => {
    const reported = statusReported(input(event('vn.gov.document.status', { statusCode: '05', statusName: 'Đang xử lý (phòng HC)' })), schemas, ADAPTERS);
    expect(reported).toEqual({
      kind: 'status-reported',
      hubId: 'doc-hub',
      at: '2025-07-14T08:00:00.000Z',
      agency: '000.01.05.H49',
      statusCode: '05',
      statusName: 'Đang xử lý (phòng HC)',
      statusHubId: 'status-hub',
    });
  });

  it('names a status that carries no name from the registered kinds (the edXML status table)', () => {
    expect(statusReported(input(event('vn.gov.document.status', { statusCode: '03' })), schemas, ADAPTERS)?.statusName).toBe('Đã tiếp nhận');
  });

  it('leaves the name out when no registered kind names the code', () => {
    const kinds: ConnectorAdapter[] = ADAPTERS.filter((a) => !a.statusNames);
    const reported = statusReported(input(event('vn.gov.document.status', { statusCode: '03' })), schemas, kinds);
    expect(reported).toMatchObject({ statusCode: '03' });
    expect(reported).not.toHaveProperty('statusName');
  });
});
