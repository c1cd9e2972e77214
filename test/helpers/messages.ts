/**
 * Test messages built from the executable examples in `schemas/`, and two send-only connectors of
 * the demo province: Sở Tư pháp (000.00.15.H49, the examples' sender) and Sở Y tế (000.00.16.H49).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importDemoAgencies, registerConnector } from './hub.ts';

export const SENDER = { id: 'qn-stp-eoffice', agency: '000.00.15.H49' } as const;
export const OTHER = { id: 'qn-syt-eoffice', agency: '000.00.16.H49' } as const;

/** Seeds a fresh hub: the demo directory and the two connectors; returns their tokens. */
export async function seedSenders(url: string): Promise<{ sender: string; other: string }> {
  await importDemoAgencies(url);
  const sender = await registerConnector(url, { ...SENDER, kind: 'webhook' });
  const other = await registerConnector(url, { ...OTHER, kind: 'webhook' });
  return { sender, other };
}

const EXAMPLE = JSON.parse(readFileSync('schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', 'utf8')) as Record<string, unknown>;

/** A valid `vn.gov.document.sent` from SENDER with a fresh id; `overrides` replace envelope fields. */
export function documentSent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(EXAMPLE), id: `doc-${randomBytes(6).toString('hex')}`, ...overrides };
}

export function post(url: string, body: unknown, { token, contentType = 'application/cloudevents+json' }: { token: string | null; contentType?: string }) {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
