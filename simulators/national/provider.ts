/**
 * What the simulated national providers share: how the hub reaches a provider of a data-sharing
 * service (SPEC §3 "Data-sharing services") and how a provider written with stock code receives it.
 *
 * The hub forwards a consumer's call to `<service endpoint>/<path>?<query>` with `X-LGSP-Call-Id`,
 * `X-LGSP-Officer`, `X-LGSP-Purpose`, `X-LGSP-Consumer`, `X-LGSP-Consumer-Agency`,
 * `X-LGSP-Service`, and its signature made with the provider connector's signing key: Standard
 * Webhooks v2 (`webhook-id` = the call id) or the deprecated v1 `X-LGSP-Signature`, as the
 * connector's `delivery.signatureVersions` says. With `signingKey`, a provider answers `401` to a
 * request whose signature does not verify (`kit/webhook-verifier.ts`, as any TypeScript provider
 * would); without it, it checks nothing (a bench calling it directly).
 *
 * Every request that reaches the server is recorded, faulted and refused ones included, with its
 * headers and the status it got. Transport trouble comes from the fault kit (`kit/faults.ts`).
 */
import express, { type Request, type Router } from 'express';
import { FaultPlan, startSimulatedSystem, type SimulatedSystem } from '../../connectors/kit/faults.ts';
import { verifySignature, type SignatureVersion } from '../../connectors/kit/signature.ts';
import { verifyWebhook, WebhookVerificationError } from '../../connectors/kit/webhook-verifier.ts';

/**
 * The headers the hub adds to every call it forwards (lower case, as Node reads them), written from
 * docs/services.md rather than imported from the hub: the simulator is the provider's side of the contract.
 */
export const HUB_CALL_HEADERS = {
  callId: 'x-lgsp-call-id',
  officer: 'x-lgsp-officer',
  purpose: 'x-lgsp-purpose',
  consumer: 'x-lgsp-consumer',
  consumerAgency: 'x-lgsp-consumer-agency',
  service: 'x-lgsp-service',
} as const;

export interface ProviderOptions {
  /** The provider connector's signing key (`signingKeyOf(token)`); absent: signatures are not checked. */
  signingKey?: string;
  /** The signature it requires when `signingKey` is set: `v2` (default) or the deprecated `v1`. */
  verify?: SignatureVersion;
  /** 0 or absent: any free port. */
  port?: number;
  /** A plan the caller keeps; default a fresh one. */
  faults?: FaultPlan;
  /** Its clock (epoch milliseconds), for the v2 signature's window; default `Date.now`. */
  now?: () => number;
}

/** One request as the provider saw it, and the status it answered (absent: no answer, the socket died). */
export interface ProviderRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly receivedAt: Date;
  status?: number;
}

export interface NationalProvider extends SimulatedSystem {
  /** Every request received, in order. */
  readonly requests: readonly ProviderRequest[];
}

/** The exact body bytes of a request the provider received (empty without a body). */
export function bodyOf(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** A JSON error answer, the same shape for every refusal of the simulators. */
export function errorBody(error: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { error, message, ...extra };
}

/** Starts a provider whose own routes `mount` adds, behind recording, faults and the signature check. */
export async function startProvider(options: ProviderOptions, mount: (router: Router) => void): Promise<NationalProvider> {
  const faults = options.faults ?? new FaultPlan();
  const requests: ProviderRequest[] = [];
  const app = express();
  app.use(express.raw({ type: () => true, limit: '1mb' }));
  app.use((req, res, next) => {
    const seen: ProviderRequest = { method: req.method, url: req.originalUrl, headers: { ...req.headers }, body: bodyOf(req), receivedAt: new Date() };
    requests.push(seen);
    res.on('finish', () => (seen.status = res.statusCode));
    next();
  });
  app.use(faults.middleware());
  app.use((req, res, next) => {
    const failure = options.signingKey === undefined ? undefined : signatureFailure(req, options.signingKey, options);
    if (failure) return void res.status(401).json(failure);
    next();
  });
  const router = express.Router();
  mount(router);
  app.use(router);
  app.use((req, res) => void res.status(404).json(errorBody('not-found', `No resource ${req.method} ${req.path} here.`)));
  const system = await startSimulatedSystem(app, faults, options.port ?? 0);
  return { ...system, requests };
}

/** Why the hub's signature does not verify, as the 401 body; undefined when it does. */
function signatureFailure(req: Request, signingKey: string, options: ProviderOptions): Record<string, unknown> | undefined {
  const body = bodyOf(req);
  if (options.verify === 'v1') {
    return verifySignature(body, req.get('x-lgsp-signature'), signingKey)
      ? undefined
      : errorBody('bad-signature', 'Bad or missing X-LGSP-Signature: the request is not from the hub, or its body changed.');
  }
  try {
    const { id } = verifyWebhook({
      signingKey,
      headers: req.headers,
      body,
      request: { method: req.method, target: req.originalUrl },
      ...(options.now ? { now: options.now() } : {}),
    });
    const callId = req.get(HUB_CALL_HEADERS.callId);
    // The call id is signed (an x-lgsp-* header); it must also be the webhook-id the provider keeps.
    if (callId !== undefined && callId !== id) return errorBody('bad-signature', `X-LGSP-Call-Id "${callId}" is not the signed webhook-id "${id}".`);
    return undefined;
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    return errorBody(err.code, err.message);
  }
}
