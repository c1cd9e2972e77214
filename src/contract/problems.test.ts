import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HubError, PROBLEMS, type ProblemCode } from './problems.ts';

const documented = new Map(
  [...readFileSync('docs/problems.md', 'utf8').matchAll(/^\| `([a-z-]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

describe('the problem catalogue', () => {
  it('documents every code with its status, and documents no code that does not exist', () => {
    const codes = Object.keys(PROBLEMS);
    expect([...documented.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(documented.get(code)).toBe(PROBLEMS[code as ProblemCode].status);
  });

  it('renders RFC 9457 problem details with a stable type URI and the failing fields', () => {
    const problem = new HubError('validation-failed', 'bad', { errors: [{ path: '/data/subject', message: 'required' }] }).toProblem('/v1/messages');
    expect(problem).toEqual({ type: 'https://lgsp-hub.dev/problems/validation-failed', title: PROBLEMS['validation-failed'].title, status: 422, detail: 'bad', instance: '/v1/messages', errors: [{ path: '/data/subject', message: 'required' }] });
    expect(new HubError('kafka-unavailable', 'x').retriable).toBe(true);
    expect(new HubError('validation-failed', 'x').retriable).toBe(false);
  });
});
