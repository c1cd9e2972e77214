/**
 * Bearer authentication: connectors with their issued token, operators with LGSP_ADMIN_TOKEN.
 * A failure is `unauthenticated` (401) with a `WWW-Authenticate` challenge and no hint of which
 * part was wrong.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { HubError } from '../contract/problems.ts';
import type { ConnectorIdentity, CredentialStore } from '../registry/connector-credentials.ts';

function bearer(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function challenge(res: Response, detail: string): HubError {
  res.setHeader('WWW-Authenticate', 'Bearer realm="lgsp-hub"');
  return new HubError('unauthenticated', detail);
}

export function requireConnector(store: () => CredentialStore): RequestHandler {
  return (req, res, next) => {
    const token = bearer(req);
    if (!token) return next(challenge(res, 'Send the connector token issued at registration as "Authorization: Bearer <token>".'));
    const connector = store().verify(token);
    if (!connector) return next(challenge(res, 'The bearer token is not a valid connector token. Check it, or rotate it through the operator.'));
    res.locals.connector = connector;
    next();
  };
}

export function connectorOf(res: Response): ConnectorIdentity {
  return res.locals.connector as ConnectorIdentity;
}

/** Compares a presented token with LGSP_ADMIN_TOKEN in constant time (both hashed to one length). */
function operatorTokenCheck(adminToken: string): (token: string | undefined) => boolean {
  const expected = createHash('sha256').update(adminToken).digest();
  return (token) => token !== undefined && timingSafeEqual(createHash('sha256').update(token).digest(), expected);
}

export function requireOperator(adminToken: string): RequestHandler {
  const isOperator = operatorTokenCheck(adminToken);
  return (req, res, next) => {
    next(isOperator(bearer(req)) ? undefined : challenge(res, 'Operator routes need "Authorization: Bearer <LGSP_ADMIN_TOKEN>".'));
  };
}

/**
 * Either caller: the operator (LGSP_ADMIN_TOKEN) or a connector (its token). Sets
 * `res.locals.caller` (read it with `callerOf`) to `{ operator: true }` or `{ operator: false, connector }`; for routes
 * that decide per resource what the caller may see. Anyone else is `unauthenticated`.
 */
export function requireCaller(store: () => CredentialStore, adminToken: string): RequestHandler {
  const isOperator = operatorTokenCheck(adminToken);
  return (req, res, next) => {
    const token = bearer(req);
    if (!token) return next(challenge(res, 'Send the operator token or a connector token as "Authorization: Bearer <token>".'));
    if (isOperator(token)) {
      res.locals.caller = { operator: true };
      return next();
    }
    const connector = store().verify(token);
    if (!connector) return next(challenge(res, 'The bearer token is neither the operator token nor a valid connector token.'));
    res.locals.caller = { operator: false, connector };
    next();
  };
}

export type Caller = { readonly operator: true } | { readonly operator: false; readonly connector: ConnectorIdentity };

/** The caller `requireCaller` let through. */
export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}
