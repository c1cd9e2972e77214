/**
 * Records of the operators' audit trail `lgsp.audit` (key: the operator's name): who did what
 * through the API, with which outcome, and who was refused. The route binding derives one
 * `OperatorAction` per operator request that changes something and per refused attempt on an
 * operator route (`route-binding.ts`); the trail stamps it with an id and a time and writes it
 * before the answer is sent (`audit-trail.ts`). Never a token, never a body: only the request's
 * path and query parameters and the body's identifiers (`AUDITED_BODY_FIELDS`).
 */
import type { Message } from 'kafkajs';
import type { ProblemCode } from '../contract/problems.ts';
import type { Role } from '../http/route.ts';

export interface OperatorAction {
  /** The authenticated operator; absent when authentication failed. */
  readonly operator?: string;
  /** Refused as unauthenticated: the operator the token's form names (`lgsp-op.<name>.…`), unchecked. */
  readonly claimed?: string;
  readonly role?: Role;
  /** `<METHOD> <declared route path>`, e.g. `POST /v1/connectors/{id}:rotate`; `bootstrap` for the first admin. */
  readonly action: string;
  /** Path and query parameters as sent (each value at most `MAX_VALUE` characters). */
  readonly params?: Readonly<Record<string, string>>;
  /** The body's identifiers (`AUDITED_BODY_FIELDS`), or `{ items: n }` for an array body. */
  readonly body?: Readonly<Record<string, unknown>>;
  /** The HTTP status answered (or that would have been, had the audit write not failed). */
  readonly outcome: number;
  /** The problem type of a failure. */
  readonly problem?: ProblemCode;
}

export interface AuditEntry extends OperatorAction {
  readonly id: string;
  /** ISO time the hub recorded it. */
  readonly time: string;
}

/** Top-level body properties that identify what an action touched; nothing else of a body is kept. */
export const AUDITED_BODY_FIELDS = ['id', 'agency', 'kind', 'name', 'role', 'connector', 'ids', 'from', 'to', 'provider', 'consumer', 'purpose'] as const;
const MAX_VALUE = 200;
const MAX_IDS = 100;

/** The audited part of a request body: its identifiers only. */
export function bodyIdentifiers(body: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(body)) return { items: body.length };
  if (typeof body !== 'object' || body === null) return undefined;
  const picked: Record<string, unknown> = {};
  for (const field of AUDITED_BODY_FIELDS) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string') picked[field] = clip(value);
    else if (Array.isArray(value)) picked[field] = value.slice(0, MAX_IDS).map((v) => clip(String(v)));
  }
  return Object.keys(picked).length > 0 ? picked : undefined;
}

/** String parameters (path and query) as sent, clipped. */
export function auditedParams(...sources: Readonly<Record<string, unknown>>[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) if (value !== undefined) params[name] = clip(String(value));
  }
  return Object.keys(params).length > 0 ? params : undefined;
}

export function auditMessage(entry: AuditEntry): Message {
  return { key: entry.operator ?? entry.claimed ?? '', value: JSON.stringify(entry) };
}

/** Parses a record of `lgsp.audit` (written by the hub itself); undefined for one it cannot read. */
export function parseAuditEntry(value: Buffer | null): AuditEntry | undefined {
  if (!value) return undefined;
  try {
    const entry = JSON.parse(value.toString()) as Partial<AuditEntry>;
    return typeof entry.id === 'string' && typeof entry.time === 'string' && typeof entry.action === 'string' ? (entry as AuditEntry) : undefined;
  } catch {
    return undefined;
  }
}

function clip(text: string): string {
  return text.length <= MAX_VALUE ? text : `${text.slice(0, MAX_VALUE - 1)}…`;
}
