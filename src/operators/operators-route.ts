/**
 * The operators API (role admin): list, create (the token is shown once), change a role, rotate a
 * token with an overlap, delete. The last admin can be neither deleted nor demoted (`conflict`).
 * Answers never carry a token hash.
 */
import { Type } from '@sinclair/typebox';
import { overlapOf, overlapQuery } from '../http/overlap-query.ts';
import { json, named, ROLES, route, stringEnum, type Route } from '../http/route.ts';
import type { OperatorAccounts } from './operator-accounts.ts';
import type { OperatorRecord } from './operator-tokens.ts';

const NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
const NAME = Type.String({
  pattern: NAME_PATTERN,
  description: 'Lower-case letters, digits and "-", at most 63 characters (it is part of the token).',
  examples: ['nguyen-van-an'],
});
const ROLE = stringEnum(ROLES, { description: 'viewer: read only; operator: also change the registry and replay dead letters; admin: also manage operators.' });
const PARAMS = Type.Object({ name: NAME });
const TOKEN = { type: 'string', description: 'The operator’s bearer token, shown once: hand it over now.' };

const OPERATOR_VIEW = named('Operator', {
  type: 'object',
  description: 'A named operator. Its token is never shown again; `previousTokenValidUntil` is the end of the overlap after a rotation.',
  required: ['name', 'role', 'createdAt', 'updatedAt', 'createdBy'],
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN },
    role: { type: 'string', enum: [...ROLES] },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string', description: 'The admin who created it, or LGSP_ADMIN_TOKEN for the bootstrap admin.' },
    previousTokenValidUntil: { type: 'string', format: 'date-time' },
  },
});

const WITH_TOKEN = (description: string) =>
  json({ type: 'object', required: ['operator', 'token'], properties: { operator: OPERATOR_VIEW, token: TOKEN } }, description);

export function operatorsRoutes(accounts: OperatorAccounts, defaultOverlapMs: number): Route[] {
  return [
    route({
      method: 'get',
      path: '/v1/operators',
      auth: 'operator',
      role: 'admin',
      tag: 'operators',
      summary: 'List operators',
      responses: {
        200: json({ type: 'object', required: ['operators'], properties: { operators: { type: 'array', items: OPERATOR_VIEW } } }, 'Every operator, by name.'),
      },
      handle: () => ({ status: 200, json: { operators: accounts.list().map(view) } }),
    }),
    route({
      method: 'post',
      path: '/v1/operators',
      auth: 'operator',
      role: 'admin',
      tag: 'operators',
      summary: 'Create an operator',
      body: { content: { 'application/json': Type.Object({ name: NAME, role: ROLE }, { additionalProperties: false }) } },
      responses: { 201: WITH_TOKEN('Created; the token is shown this once.') },
      problems: ['conflict'],
      async handle({ body, caller }) {
        const { record, token } = await accounts.create(body.name, body.role, caller.name);
        return { status: 201, json: { operator: view(record), token } };
      },
    }),
    route({
      method: 'put',
      path: '/v1/operators/{name}',
      auth: 'operator',
      role: 'admin',
      tag: 'operators',
      summary: "Change an operator's role",
      params: PARAMS,
      body: { content: { 'application/json': Type.Object({ role: ROLE }, { additionalProperties: false }) } },
      responses: { 200: json(OPERATOR_VIEW, 'Changed.') },
      problems: ['not-found', 'conflict'],
      handle: async ({ params, body }) => ({ status: 200, json: view(await accounts.setRole(params.name, body.role)) }),
    }),
    route({
      method: 'post',
      path: '/v1/operators/{name}:rotate',
      auth: 'operator',
      role: 'admin',
      tag: 'operators',
      summary: 'Issue a new token for an operator (the old one works for the overlap)',
      params: PARAMS,
      query: overlapQuery(defaultOverlapMs),
      responses: { 200: WITH_TOKEN('The new token, shown this once.') },
      problems: ['not-found'],
      async handle({ params, query }) {
        const { record, token } = await accounts.rotate(params.name, overlapOf(query.overlap));
        return { status: 200, json: { operator: view(record), token } };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/operators/{name}',
      auth: 'operator',
      role: 'admin',
      tag: 'operators',
      summary: 'Delete an operator (its token stops working at once)',
      params: PARAMS,
      responses: { 204: { description: 'Deleted.' } },
      problems: ['not-found', 'conflict'],
      async handle({ params }) {
        await accounts.delete(params.name);
        return { status: 204 };
      },
    }),
  ];
}

function view({ name, role, createdAt, updatedAt, createdBy, previous }: OperatorRecord) {
  return { name, role, createdAt, updatedAt, createdBy, ...(previous ? { previousTokenValidUntil: previous.until } : {}) };
}
