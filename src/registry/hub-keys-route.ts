/**
 * The hub's signing keys over HTTP (docs/signatures.md): `GET /.well-known/jwks.json`, public, the
 * key set anyone verifies the hub's signatures with (RFC 7517), and `POST /v1/hub-keys:rotate`
 * (admins), which makes a new signing key; the old ones stay in the set.
 */
import { json, named, route, type Route } from '../http/route.ts';
import type { HubKeys, StoredHubKey } from './hub-keys.ts';

const KID = {
  type: 'string',
  description: 'The key id: the RFC 7638 thumbprint (SHA-256) of the public key.',
  examples: ['r2Qz7xJd9m0kq3A6bTgq6m1y0nYd2o8U7C1VwXnKq4M'],
};

const JWKS = named('JsonWebKeySet', {
  type: 'object',
  required: ['keys'],
  description: "The hub's public signing keys (RFC 7517); the signing key first, then every earlier one, so old signatures still verify.",
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kty', 'crv', 'x', 'kid', 'alg', 'use'],
        properties: {
          kty: { const: 'OKP' },
          crv: { const: 'Ed25519' },
          x: { type: 'string', description: 'The public key, base64url.' },
          kid: KID,
          alg: { const: 'EdDSA' },
          use: { const: 'sig' },
        },
      },
    },
  },
});

const HUB_KEY = named('HubKey', {
  type: 'object',
  required: ['kid', 'alg', 'generation', 'createdAt'],
  properties: {
    kid: KID,
    alg: { const: 'EdDSA' },
    generation: { type: 'integer', minimum: 1, description: '1 for the first key; each rotation adds one.' },
    createdAt: { type: 'string', format: 'date-time' },
  },
});

export function hubKeysRoutes(keys: HubKeys): Route[] {
  return [
    route({
      method: 'get',
      path: '/.well-known/jwks.json',
      auth: 'public',
      tag: 'signatures',
      summary: "The hub's public signing keys",
      description: "Verify the hub's signature on a message (lgsp-hub-signature, the trace's message.hubSignature) against these keys, with any JOSE library.",
      responses: { 200: json(JWKS, 'The key set.') },
      handle: () => ({ status: 200, headers: { 'Cache-Control': 'public, max-age=300' }, json: keys.jwks() }),
    }),
    route({
      method: 'post',
      path: '/v1/hub-keys:rotate',
      auth: 'operator',
      role: 'admin',
      tag: 'signatures',
      summary: 'Make a new signing key',
      description:
        'Every instance signs with the new key within the registry poll interval; the previous keys stay in /.well-known/jwks.json so what they signed still verifies.',
      responses: { 200: json(HUB_KEY, 'The key that now signs.') },
      handle: async () => ({ status: 200, json: view(await keys.rotate()) }),
    }),
  ];
}

function view({ kid, alg, generation, createdAt }: StoredHubKey): Record<string, unknown> {
  return { kid, alg, generation, createdAt };
}
