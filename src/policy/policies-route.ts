/**
 * The sending-rights API (docs/policies.md): read the rule each message type is held to (viewer),
 * set an operator's rule for a type, or delete it to go back to the type's default (operator).
 * Changes are audited by the route binding like every operator change; a rule applies to the
 * next request on every instance once the registry topic carries it.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import type { SchemaSet } from '../contract/schema-set.ts';
import { json, named, route, type Route } from '../http/route.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { SendingRuleSchema } from './sending-rule.ts';
import type { SendingRights } from './sending-rights.ts';

const TYPE = Type.Object({
  type: Type.String({ pattern: '^vn\\.gov\\.[a-z]+(\\.[a-z]+)+$', description: 'A message type (SPEC §2).', examples: ['vn.gov.dossier.status'] }),
});
const RULE = named('SendingRule', SendingRuleSchema);
const EFFECTIVE = named('EffectiveSendingRule', {
  type: 'object',
  description: "The rule a message type is held to now: an operator's, or the type's default.",
  required: ['type', 'rule', 'origin'],
  properties: {
    type: { type: 'string' },
    rule: RULE,
    origin: { enum: ['default', 'operator'], description: 'default: no operator rule, the type family’s applies; operator: set through PUT.' },
    describe: { type: 'string', description: 'The default rule in words (origin default).' },
    updatedAt: { type: 'string', format: 'date-time', description: 'When the operator set it (origin operator).' },
    updatedBy: { type: 'string', description: 'Who set it (origin operator).' },
  },
});

export function policiesRoutes(rights: SendingRights, registry: Pick<RegistryStore, 'putPolicy' | 'deletePolicy'>, schemas: SchemaSet): Route[] {
  const known = (type: string) => {
    if (!schemas.hasType(type)) throw new HubError('not-found', `No message type "${type}"; known types: ${schemas.messageTypes.join(', ')}.`);
    return type;
  };
  return [
    route({
      method: 'get',
      path: '/v1/policies',
      auth: 'operator',
      tag: 'policies',
      summary: 'List the sending rule of every message type',
      responses: {
        200: json({ type: 'object', required: ['policies'], properties: { policies: { type: 'array', items: EFFECTIVE } } }, 'One rule per known type.'),
      },
      handle: () => ({ status: 200, json: { policies: schemas.messageTypes.map((type) => rights.effective(type)) } }),
    }),
    route({
      method: 'get',
      path: '/v1/policies/{type}',
      auth: 'operator',
      tag: 'policies',
      summary: 'Show the sending rule of a message type',
      params: TYPE,
      responses: { 200: json(EFFECTIVE, 'The rule, and whether it is the default.') },
      problems: ['not-found'],
      handle: ({ params }) => ({ status: 200, json: rights.effective(known(params.type)) }),
    }),
    route({
      method: 'put',
      path: '/v1/policies/{type}',
      auth: 'operator',
      tag: 'policies',
      summary: 'Set the sending rule of a message type',
      params: TYPE,
      body: { content: { 'application/json': SendingRuleSchema } },
      responses: { 200: json(EFFECTIVE, 'Set; it applies to the next message.') },
      problems: ['not-found'],
      async handle({ params, body, caller }) {
        const type = known(params.type);
        await registry.putPolicy({ type, rule: body, updatedAt: new Date().toISOString(), updatedBy: caller.name });
        return { status: 200, json: rights.effective(type) };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/policies/{type}',
      auth: 'operator',
      tag: 'policies',
      summary: "Delete a type's operator rule: its default applies again",
      params: TYPE,
      responses: { 200: json(EFFECTIVE, 'The default rule, now in force.') },
      problems: ['not-found'],
      async handle({ params }) {
        const type = known(params.type);
        await registry.deletePolicy(type);
        return { status: 200, json: rights.effective(type) };
      },
    }),
  ];
}
