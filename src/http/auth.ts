/**
 * Bearer authentication, by a route's declared `auth`: connectors with their issued token,
 * operators with LGSP_ADMIN_TOKEN, `caller` either of them, `public` anyone. A failure is
 * `unauthenticated` (401, with a `WWW-Authenticate` challenge) that never says which part was
 * wrong. An `auth` outside the list is refused too: nothing is open by accident.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HubError } from '../contract/problems.ts';
import type { CredentialStore } from '../registry/connector-credentials.ts';
import type { Auth, CallerOf, Operator } from './route.ts';

export interface AuthOptions {
  /** LGSP_ADMIN_TOKEN. */
  readonly adminToken: string;
  /** The live connector registry (read at each request: tokens rotate). */
  readonly credentials: () => CredentialStore;
}

/** Returns the caller the route's `auth` admits, or throws `unauthenticated`. */
export type Authenticate = <A extends Auth>(auth: A, authorization: string | undefined) => CallerOf<A>;

const OPERATOR: Operator = Object.freeze({ operator: true });

const ASK: Readonly<Record<Exclude<Auth, 'public'>, { missing: string; wrong: string }>> = {
  operator: {
    missing: 'Operator routes need "Authorization: Bearer <LGSP_ADMIN_TOKEN>".',
    wrong: 'Operator routes need "Authorization: Bearer <LGSP_ADMIN_TOKEN>".',
  },
  connector: {
    missing: 'Send the connector token issued at registration as "Authorization: Bearer <token>".',
    wrong: 'The bearer token is not a valid connector token. Check it, or rotate it through the operator.',
  },
  caller: {
    missing: 'Send the operator token or a connector token as "Authorization: Bearer <token>".',
    wrong: 'The bearer token is neither the operator token nor a valid connector token.',
  },
};

export function authenticator({ adminToken, credentials }: AuthOptions): Authenticate {
  const isOperator = operatorTokenCheck(adminToken);
  const admit = (auth: Auth, authorization: string | undefined): CallerOf<Auth> => {
    if (auth === 'public') return undefined;
    const ask = ASK[auth];
    if (!ask) throw new HubError('internal', 'The route declares no caller.'); // unreachable: checkRouteTable refuses it at start
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new HubError('unauthenticated', ask.missing);
    if (auth !== 'connector' && isOperator(token)) return OPERATOR;
    if (auth !== 'operator') {
      const connector = credentials().verify(token);
      if (connector) return auth === 'connector' ? connector : { operator: false, connector };
    }
    throw new HubError('unauthenticated', ask.wrong);
  };
  return admit as Authenticate;
}

/** Compares a presented token with LGSP_ADMIN_TOKEN in constant time (both hashed to one length). */
function operatorTokenCheck(adminToken: string): (token: string) => boolean {
  const expected = createHash('sha256').update(adminToken).digest();
  return (token) => timingSafeEqual(createHash('sha256').update(token).digest(), expected);
}
