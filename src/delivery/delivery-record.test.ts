import { describe, expect, it } from 'vitest';
import { deliveryMessage, parseDelivery } from './delivery-record.ts';

/** A delivery record as the hub writes it to `lgsp.deliveries`, by hand; its value spaced as no JSON.stringify would. */
const value = Buffer.from('{ "soKyHieu": "123/STP-VP",  "trichYeu": "Báo cáo tháng 11" }');
const record = {
  value,
  headers: {
    'content-type': Buffer.from('application/json'),
    ce_specversion: Buffer.from('1.0'),
    ce_id: Buffer.from('doc-1'),
    ce_source: Buffer.from('urn:lgsp:agency:000.00.15.H49'),
    ce_type: Buffer.from('vn.gov.document.sent'),
    ce_subject: Buffer.from('123/STP-VP'),
    lgsp_hubid: Buffer.from('6f1d2c4e-0d7b-5a51-9b0e-1f3c5a7e9d21'),
    lgsp_connector: Buffer.from('qn-stp-eoffice'),
    lgsp_acceptedat: Buffer.from('2026-12-01T08:00:00.000Z'),
    lgsp_recipient: Buffer.from('qn-ubnd-eoffice'),
    lgsp_recipient_agency: Buffer.from('000.00.00.H49'),
    lgsp_attempt: Buffer.from('2'),
  },
};

describe('delivery records', () => {
  it('keep the data bytes they were read with: written again as they are, parsed only when read', () => {
    const delivery = parseDelivery(record);
    expect(delivery.dataBytes).toBe(value);
    expect(deliveryMessage({ ...delivery, attempt: 3 }).value).toBe(value);
    expect(delivery.message.event.data).toEqual({ soKyHieu: '123/STP-VP', trichYeu: 'Báo cáo tháng 11' });
    expect(delivery).toMatchObject({ recipient: 'qn-ubnd-eoffice', recipientAgency: '000.00.00.H49', attempt: 2, history: [] });
  });

  it('never parse data nobody reads', () => {
    const delivery = parseDelivery({ ...record, value: Buffer.from('not json') });
    expect(delivery.message.event.subject).toBe('123/STP-VP');
    expect(() => delivery.message.event.data).toThrow(SyntaxError);
  });
});
