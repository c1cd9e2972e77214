import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LgspError } from './errors.ts';
import { HubError, PROBLEM_CODES, PROBLEMS } from './problems.ts';

/** `| `code` | status | yes/no |` rows of docs/problems.md. */
const documented = new Map(
  [...readFileSync('docs/problems.md', 'utf8').matchAll(/^\| `([a-z-]+)` \| (\d{3}) \| (yes|no) \|/gm)].map((m) => [
    m[1]!,
    { status: Number(m[2]), retriable: m[3] === 'yes' },
  ]),
);

describe('the problem catalogue', () => {
  it('documents every code with its status and retriable, and documents no code that does not exist', () => {
    expect([...documented.keys()].sort()).toEqual([...PROBLEM_CODES].sort());
    for (const code of PROBLEM_CODES) expect(documented.get(code), code).toEqual({ status: PROBLEMS[code].status, retriable: PROBLEMS[code].retriable });
  });

  it('uses stable kebab-case codes', () => {
    for (const code of PROBLEM_CODES) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('renders RFC 9457 problem details with a stable type URI and the failing fields', () => {
    const problem = new HubError('validation-failed', 'bad', { errors: [{ path: '/data/subject', message: 'required' }] }).toProblem('/v1/messages');
    expect(problem).toEqual({
      type: 'https://lgsp-hub.dev/problems/validation-failed',
      title: PROBLEMS['validation-failed'].title,
      status: 422,
      detail: 'bad',
      instance: '/v1/messages',
      errors: [{ path: '/data/subject', message: 'required' }],
    });
  });

  it('is an LgspError whose code, status and retriable come from the one table', () => {
    const unavailable = new HubError('kafka-unavailable', 'x', { cause: new Error('down') });
    expect(unavailable).toBeInstanceOf(LgspError);
    expect(unavailable).toMatchObject({ name: 'HubError', code: 'kafka-unavailable', status: 503, retriable: true });
    expect((unavailable.cause as Error).message).toBe('down');
    expect(new HubError('validation-failed', 'x').retriable).toBe(false);
    for (const code of PROBLEM_CODES) expect(new HubError(code, 'x').retriable, code).toBe(PROBLEMS[code].retriable);
  });
});
