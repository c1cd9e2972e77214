/**
 * Test messages built from the executable examples in `schemas/`, and a connector that may send
 * them (Sở Tư pháp Quảng Ninh, 000.00.15.H49, in the demo directory).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { issueToken, StaticCredentialStore } from '../../src/registry/connector-credentials.ts';

export const SENDER = { id: 'qn-stp-eoffice', agency: '000.00.15.H49' } as const;
export const OTHER = { id: 'qn-syt-eoffice', agency: '000.00.16.H49' } as const;

const sender = issueToken(SENDER);
const other = issueToken(OTHER);
export const SENDER_TOKEN = sender.token;
export const OTHER_TOKEN = other.token;
export const testCredentials = () => new StaticCredentialStore([sender.stored, other.stored]);

const EXAMPLE = JSON.parse(readFileSync('schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', 'utf8')) as Record<string, unknown>;

/** A valid `vn.gov.document.sent` from SENDER with a fresh id; `overrides` replace envelope fields. */
export function documentSent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...structuredClone(EXAMPLE), id: `doc-${randomBytes(6).toString('hex')}`, ...overrides };
}

export function post(url: string, body: unknown, { token = SENDER_TOKEN, contentType = 'application/cloudevents+json' }: { token?: string | null; contentType?: string } = {}) {
  return fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
