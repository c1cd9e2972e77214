/**
 * Requests as a named operator, and operators made through the bootstrap admin
 * (`TEST_ADMIN_TOKEN`, which every test hub bootstraps as `admin`).
 */
import { asOperator } from './hub.ts';

/** A request with `token` as the bearer; a body is sent as JSON (default method then POST). */
export function as(token: string, url: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const { method = init.body === undefined ? 'GET' : 'POST', body } = init;
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Creates an operator through the bootstrap admin; returns its token (shown once). */
export async function createOperator(url: string, name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
  const res = await asOperator(url, '/v1/operators', { body: { name, role } });
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
