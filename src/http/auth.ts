/**
 * Authentication and roles, by a route's declared `auth`: operators with their own bearer token
 * (named accounts of the registry, `src/operators/`), connectors with their issued token and/or a
 * TLS client certificate their manifest lists (`auth.clientCertificates`, over HTTPS), `caller`
 * either of them, `public` anyone. A failure is `unauthenticated` (401, with a `WWW-Authenticate`
 * challenge) that never says which part was wrong. An `auth` outside the list is refused too:
 * nothing is open by accident.
 *
 * Then the role (`authorize`): an operator route needs `viewer` for GET and `operator` otherwise,
 * unless it declares its own `role`; a weaker role is `forbidden` (403), naming both roles.
 */
import { HubError } from '../contract/problems.ts';
import type { ConnectorIdentity, CredentialStore } from '../registry/connector-credentials.ts';
import { ROLES, type Auth, type CallerOf, type Operator, type Role, type Route } from './route.ts';

/** The operators, read at each request (accounts change and tokens rotate). */
export interface OperatorDirectory {
  /** The operator a bearer token belongs to, or undefined. */
  verify(token: string): Operator | undefined;
}

/** The connector registry as authentication reads it, at each request. */
export interface ConnectorCredentials extends CredentialStore {
  /** The connector whose manifest lists this client certificate fingerprint (`AA:BB:…`), if one does. */
  connectorOfCertificate(fingerprint256: string): ConnectorIdentity | undefined;
  /** True when the connector's manifest lists client certificates: its token alone is then not enough. */
  requiresCertificate(id: string): boolean;
}

export interface AuthOptions {
  readonly operators: () => OperatorDirectory;
  readonly credentials: () => ConnectorCredentials;
  /**
   * Called once a connector is authenticated, before anything else of the request is read (e.g.
   * its rate limit). A `HubError` it throws is the answer.
   */
  readonly onConnector?: (connector: ConnectorIdentity) => void;
}

/** What a request presents: its `Authorization` header, and over HTTPS its client certificate's SHA-256 fingerprint. */
export interface Presented {
  readonly authorization: string | undefined;
  readonly certificate?: string | undefined;
}

/** Returns the caller the route's `auth` admits, or throws `unauthenticated`. */
export type Authenticate = <A extends Auth>(auth: A, presented: Presented) => CallerOf<A>;

const ASK: Readonly<Record<Exclude<Auth, 'public'>, { missing: string; wrong: string }>> = {
  operator: {
    missing: 'Operator routes need "Authorization: Bearer <your operator token>".',
    wrong: 'The bearer token is not a valid operator token. Check it, or ask an admin for a new one (POST /v1/operators/<name>:rotate).',
  },
  connector: {
    missing: 'Send the connector token issued at registration as "Authorization: Bearer <token>", or over HTTPS a client certificate its manifest lists.',
    wrong:
      'The credentials are not those of a connector (a valid token, and a client certificate of the same connector where its manifest lists any). Check them, or rotate the token through the operator.',
  },
  caller: {
    missing: 'Send your operator token or a connector token as "Authorization: Bearer <token>".',
    wrong: 'The credentials are neither an operator token nor those of a connector.',
  },
};

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
}

export function authenticator({ operators, credentials, onConnector }: AuthOptions): Authenticate {
  const admit = (auth: Auth, { authorization, certificate }: Presented): CallerOf<Auth> => {
    if (auth === 'public') return undefined;
    const ask = ASK[auth];
    if (!ask) throw new HubError('internal', 'The route declares no caller.'); // unreachable: checkRouteTable refuses it at start
    const token = bearerToken(authorization);
    const presentsCertificate = certificate !== undefined && auth !== 'operator';
    if (!token && !presentsCertificate) throw new HubError('unauthenticated', ask.missing);
    if (auth !== 'connector' && token) {
      const operator = operators().verify(token);
      if (operator) return operator;
    }
    if (auth !== 'operator') {
      const connector = connectorOf(credentials(), token, certificate);
      if (connector) {
        onConnector?.(connector);
        return auth === 'connector' ? connector : { operator: false, connector };
      }
    }
    throw new HubError('unauthenticated', ask.wrong);
  };
  return admit as Authenticate;
}

/**
 * The connector a token and/or a client certificate name. A certificate no manifest lists counts
 * as none; when both name a connector it must be the same one; a connector whose manifest lists
 * certificates must present one of them.
 */
function connectorOf(store: ConnectorCredentials, token: string | undefined, certificate: string | undefined): ConnectorIdentity | undefined {
  const byToken = token === undefined ? undefined : store.verify(token);
  if (token !== undefined && !byToken) return undefined;
  const byCertificate = certificate === undefined ? undefined : store.connectorOfCertificate(certificate);
  if (byToken && byCertificate && byToken.id !== byCertificate.id) return undefined;
  if (byToken && !byCertificate && store.requiresCertificate(byToken.id)) return undefined;
  return byToken ?? byCertificate;
}

export function isOperator(caller: unknown): caller is Operator {
  return typeof caller === 'object' && caller !== null && (caller as { operator?: unknown }).operator === true;
}

/** The least role an operator needs for `route`: its own `role`, else `viewer` to read (GET) and `operator` to change. */
export function requiredRole(route: Pick<Route, 'method' | 'role'>): Role {
  return route.role ?? (route.method === 'get' ? 'viewer' : 'operator');
}

/** Throws `forbidden` when `caller` is an operator whose role is below what `route` needs. */
export function authorize(route: Pick<Route, 'method' | 'path' | 'role'>, caller: unknown): void {
  if (!isOperator(caller)) return;
  const needed = requiredRole(route);
  if (ROLES.indexOf(caller.role) >= ROLES.indexOf(needed)) return;
  throw new HubError(
    'forbidden',
    `${route.method.toUpperCase()} ${route.path} needs the role ${needed}; operator "${caller.name}" has the role ${caller.role}. Ask an admin to change it (PUT /v1/operators/${caller.name}).`,
  );
}
