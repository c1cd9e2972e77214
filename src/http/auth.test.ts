import { describe, expect, it } from 'vitest';
import { HubError } from '../contract/problems.ts';
import { authenticator, authorize, type ConnectorCredentials, type Presented } from './auth.ts';
import type { Auth } from './route.ts';

const A = { id: 'qn-a', agency: '000.00.15.H49' };
const B = { id: 'qn-b', agency: '000.00.16.H49' };
const CERT_A = 'AA:'.repeat(31) + 'AA';
const CERT_B = 'BB:'.repeat(31) + 'BB';
const STRANGER = 'CC:'.repeat(31) + 'CC';

/** A holds a token and a certificate (so it must present the certificate); B a token and a certificate it need not. */
const credentials: ConnectorCredentials = {
  verify: (token) => ({ 'token-a': A, 'token-b': B })[token],
  connectorOfCertificate: (fp) => ({ [CERT_A]: A, [CERT_B]: B })[fp],
  requiresCertificate: (id) => id === A.id,
};
const connectorsSeen: string[] = [];
const authenticate = authenticator({
  operators: () => ({ verify: (token) => (token === 'op-token' ? { operator: true, name: 'an', role: 'viewer' } : undefined) }),
  credentials: () => credentials,
  onConnector: (c) => {
    connectorsSeen.push(c.id);
    if (c.id === 'qn-b' && connectorsSeen.length > 100) throw new HubError('rate-limited', 'slow down');
  },
});

function outcome(auth: Auth, presented: Presented): unknown {
  try {
    return authenticate(auth, presented);
  } catch (err) {
    return err instanceof HubError ? err.code : err;
  }
}
const bearer = (token: string) => `Bearer ${token}`;

describe('authentication', () => {
  it('admits a connector by its token, its certificate, or both when they agree', () => {
    expect(outcome('connector', { authorization: bearer('token-b') })).toEqual(B);
    expect(outcome('connector', { authorization: undefined, certificate: CERT_A })).toEqual(A);
    expect(outcome('connector', { authorization: bearer('token-a'), certificate: CERT_A })).toEqual(A);
    expect(outcome('caller', { authorization: undefined, certificate: CERT_B })).toEqual({ operator: false, connector: B });
    // A certificate no manifest lists counts as none.
    expect(outcome('connector', { authorization: bearer('token-b'), certificate: STRANGER })).toEqual(B);
    expect(connectorsSeen.slice(-5)).toEqual(['qn-b', 'qn-a', 'qn-a', 'qn-b', 'qn-b']);
  });

  it('refuses credentials that disagree, a missing required certificate, and unknown ones, without saying which', () => {
    const refusals: Presented[] = [
      { authorization: bearer('token-a'), certificate: CERT_B },
      { authorization: bearer('token-b'), certificate: CERT_A },
      { authorization: bearer('token-a') },
      { authorization: bearer('token-a'), certificate: STRANGER },
      { authorization: undefined, certificate: STRANGER },
      { authorization: bearer('wrong'), certificate: CERT_A },
    ];
    const details = new Set<string>();
    for (const presented of refusals) {
      try {
        authenticate('connector', presented);
        expect.unreachable(JSON.stringify(presented));
      } catch (err) {
        expect((err as HubError).code, JSON.stringify(presented)).toBe('unauthenticated');
        details.add((err as HubError).message);
      }
    }
    expect(details.size, 'one detail for every wrong combination').toBe(1);
    expect(outcome('connector', { authorization: undefined })).toBe('unauthenticated');
  });

  it('never admits a certificate on an operator route, nor an operator on a connector route', () => {
    expect(outcome('operator', { authorization: undefined, certificate: CERT_A })).toBe('unauthenticated');
    expect(outcome('operator', { authorization: bearer('token-b') })).toBe('unauthenticated');
    expect(outcome('connector', { authorization: bearer('op-token') })).toBe('unauthenticated');
    expect(outcome('operator', { authorization: bearer('op-token'), certificate: CERT_A })).toEqual({ operator: true, name: 'an', role: 'viewer' });
  });

  it('answers with the HubError the connector hook throws', () => {
    connectorsSeen.length = 101;
    expect(outcome('connector', { authorization: bearer('token-b') })).toBe('rate-limited');
  });
});

describe('roles', () => {
  const viewer = { operator: true, name: 'an', role: 'viewer' } as const;
  const operator = { ...viewer, role: 'operator' } as const;
  const refusal = (route: { method: 'get' | 'post'; path: string; role?: 'admin' }, caller: unknown) => {
    try {
      authorize(route, caller);
      return 'allowed';
    } catch (err) {
      return (err as HubError).message;
    }
  };

  it('need viewer to read, operator to change, or the role a route declares', () => {
    expect(refusal({ method: 'get', path: '/v1/connectors' }, viewer)).toBe('allowed');
    expect(refusal({ method: 'post', path: '/v1/connectors' }, viewer)).toBe(
      'POST /v1/connectors needs the role operator; operator "an" has the role viewer. Ask an admin to change it (PUT /v1/operators/an).',
    );
    expect(refusal({ method: 'post', path: '/v1/connectors' }, operator)).toBe('allowed');
    expect(refusal({ method: 'get', path: '/v1/operators', role: 'admin' }, operator)).toMatch(/needs the role admin; operator "an" has the role operator/);
    expect(refusal({ method: 'post', path: '/v1/messages' }, A), 'connectors have no role').toBe('allowed');
  });
});
