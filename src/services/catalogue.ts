/**
 * The data-sharing catalogue ("dịch vụ chia sẻ dữ liệu", docs/services.md) as the call path reads
 * it: the services of the registry, the grant that lets a consumer call one for a purpose (or why
 * none does, in words an integrator can act on), each service's request schema compiled once per
 * service version, and each service's OpenAPI document. Pure reads of the registry's live view:
 * a grant or revocation written through any hub instance applies to the next call here.
 */
import { HubError } from '../contract/problems.ts';
import type { SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { ServiceSpec, StoredGrant, StoredRefusal, StoredService } from './service-record.ts';

export type CatalogueRegistry = Pick<RegistryStore, 'services' | 'service' | 'grants' | 'refusals'>;
export type RequestCheck = (body: unknown) => ValidationIssue[];

/** Who calls: the consumer connector and its agency. */
export interface Consumer {
  readonly id: string;
  readonly agency: string;
}

/** What `/openapi.json` lists of each service (`x-lgsp-services`). */
export interface ServiceLink {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly classification: StoredService['classification'];
  readonly openapi: string;
}

/** The path of a service's OpenAPI document. */
export const openApiPathOf = (id: string) => `/v1/services/${id}/openapi.json`;

export class ServiceCatalogue {
  private readonly registry: CatalogueRegistry;
  private readonly schemas: Pick<SchemaSet, 'validator'>;
  /** Per stored record (a new object for every version the registry reads): its compiled request schema, `null` when it has none. */
  private readonly requestChecks = new WeakMap<StoredService, RequestCheck | null>();

  constructor(registry: CatalogueRegistry, schemas: Pick<SchemaSet, 'validator'>) {
    this.registry = registry;
    this.schemas = schemas;
  }

  /** Every service, by id. */
  services(): StoredService[] {
    return this.registry.services().sort((a, b) => a.id.localeCompare(b.id));
  }

  service(id: string): StoredService | undefined {
    return this.registry.service(id);
  }

  /** The service `id`, or `not-found` saying where the catalogue is. */
  known(id: string): StoredService {
    const service = this.registry.service(id);
    if (!service) throw new HubError('not-found', `No service "${id}" in the catalogue; GET /v1/services (lgsp services list) lists them.`);
    return service;
  }

  grants(serviceId: string): StoredGrant[] {
    return this.registry.grants(serviceId);
  }

  refusals(serviceId: string): StoredRefusal[] {
    return this.registry.refusals(serviceId);
  }

  /**
   * The grant that lets `consumer` call `serviceId` for `purpose` at `now`: one naming the
   * connector or its agency, for exactly that purpose, not expired (a connector's own grant first,
   * its quota then applies). When none does, why, most specific first: a refusal on record for
   * that purpose, an expired grant for it, grants for other purposes, or no grant at all.
   * A refusal explains; it never overrides a grant (an operator revokes a grant to end it).
   */
  grantFor(serviceId: string, consumer: Consumer, purpose: string, now: Date): { grant: StoredGrant } | { refused: string } {
    const mine = this.registry.grants(serviceId).filter((g) => g.consumer === consumer.id || g.consumer === consumer.agency);
    const forPurpose = mine.filter((g) => g.purpose === purpose);
    const live = forPurpose.filter((g) => g.expires === undefined || Date.parse(g.expires) > now.getTime());
    const grant = live.find((g) => g.consumer === consumer.id) ?? live[0];
    if (grant) return { grant };

    const who = `connector ${consumer.id} (agency ${consumer.agency})`;
    const refusal = this.registry
      .refusals(serviceId)
      .filter((r) => (r.consumer === consumer.id || r.consumer === consumer.agency) && (r.purpose === undefined || r.purpose === purpose))
      .at(-1);
    if (refusal) {
      const scope = refusal.purpose === undefined ? 'for any purpose' : `for purpose "${purpose}"`;
      return {
        refused: `Access to service "${serviceId}" was refused to ${refusal.consumer} ${scope} on ${refusal.refusedAt} by ${refusal.refusedBy}: "${refusal.reason}". Take it up with the provider's agency; calls stay refused until an operator grants it.`,
      };
    }
    const expired = forPurpose.map((g) => g.expires!).sort();
    if (expired.length > 0) {
      return {
        refused: `The grant of service "${serviceId}" to ${who} for purpose "${purpose}" expired at ${expired.at(-1)}; ask the hub's operators to renew it (lgsp services grant ${serviceId} --consumer ${consumer.id} --purpose ${purpose} --expires <time>).`,
      };
    }
    const purposes = [...new Set(mine.map((g) => g.purpose))];
    if (purposes.length > 0) {
      return {
        refused: `Service "${serviceId}" is granted to ${who} for purpose(s) ${purposes.map((p) => `"${p}"`).join(', ')} only, not "${purpose}"; send one of those in X-LGSP-Purpose, or ask the hub's operators for a grant for "${purpose}".`,
      };
    }
    return {
      refused: `No grant of service "${serviceId}" to ${who}; ask the hub's operators for one (POST /v1/services/${serviceId}/grants with consumer ${consumer.id} or ${consumer.agency} and purpose "${purpose}").`,
    };
  }

  /** The check of a call's body against the service's `request` schema, compiled once per service version; undefined when it has none. */
  requestCheck(service: StoredService): RequestCheck | undefined {
    let check = this.requestChecks.get(service);
    if (check === undefined) {
      check = service.request ? this.compile(service.request) : null;
      this.requestChecks.set(service, check);
    }
    return check ?? undefined;
  }

  /** Why the spec's `request` or `response` schema does not compile (at `/request`, `/response`); empty when both do. */
  schemaIssues(spec: Pick<ServiceSpec, 'request' | 'response'>): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    for (const part of ['request', 'response'] as const) {
      const schema = spec[part];
      if (!schema) continue;
      try {
        this.compile(schema);
      } catch (err) {
        issues.push({ path: `/${part}`, message: `is not a JSON Schema (draft 2020-12) the hub can compile: ${(err as Error).message}` });
      }
    }
    return issues;
  }

  /** What `/openapi.json` adds at each request (`AppParts.documentExtras`): a link to every service's document. */
  openApiExtras(): { 'x-lgsp-services': ServiceLink[] } {
    const links = this.services().map(({ id, title, version, classification }) => ({ id, title, version, classification, openapi: openApiPathOf(id) }));
    return { 'x-lgsp-services': links };
  }

  /**
   * The root `$id` is dropped: ajv keeps every compiled `$id` for good, so a second version (or a
   * re-registered service) with the same one would not compile. Refs inside the document and to
   * the hub's contract schemas resolve as before.
   */
  private compile(schema: Readonly<Record<string, unknown>>): RequestCheck {
    const { $id: _ignored, ...rest } = schema;
    return this.schemas.validator(rest);
  }
}

const PROBLEM_JSON = { 'application/problem+json': { schema: { type: 'object', required: ['type', 'title', 'status'] } } };
const problem = (description: string) => ({ description, content: PROBLEM_JSON });

/**
 * The service's own OpenAPI document if the provider gave one; else one derived from its
 * catalogue entry: one operation on any path under the hub's address of the service, with its
 * request and response schemas when given, the two headers every call carries, and the hub's
 * answers of its own (refusals and provider failures, problem+json).
 */
export function openApiOf(service: StoredService): Record<string, unknown> {
  if (service.openapi) return service.openapi;
  const header = (name: string, description: string, example: string) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
    example,
  });
  const operation = {
    summary: service.title,
    description:
      'Any method, path under the service, query and body are passed on to the provider; its answer comes back with X-LGSP-Call-Id. The call is refused unless a grant names the calling connector (or its agency) and the purpose.',
    security: [{ connectorToken: [] }],
    parameters: [
      {
        name: 'path',
        in: 'path',
        required: true,
        description: "The path under the service, passed on to the provider's endpoint.",
        schema: { type: 'string' },
      },
      header('X-LGSP-Officer', 'The id of the officer making the call ("mã cán bộ"), as the consumer\'s system knows them.', 'CB-000123'),
      header('X-LGSP-Purpose', 'The purpose code of a grant the consumer holds for this service.', 'identity-check'),
    ],
    ...(service.request ? { requestBody: { required: true, content: { 'application/json': { schema: service.request } } } } : {}),
    responses: {
      default: {
        description: "The provider's answer, passed on.",
        ...(service.response ? { content: { 'application/json': { schema: service.response } } } : {}),
      },
      '403': problem('service-not-granted: no grant for this connector and purpose (the detail says why).'),
      '422': problem("validation-failed: the body does not match the service's request schema."),
      '429': problem("service-quota-exceeded: over the grant's calls per minute; see Retry-After."),
      '502': problem('provider-answer-too-large.'),
      '503': problem('provider-unavailable: the provider failed repeatedly; see Retry-After.'),
      '504': problem('provider-timeout.'),
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: service.title,
      version: service.version,
      ...(service.description ? { description: service.description } : {}),
      'x-lgsp-provider': service.provider,
      'x-lgsp-classification': service.classification,
    },
    servers: [{ url: `/v1/services/${service.id}`, description: 'Through the LGSP hub' }],
    paths: { '/{path}': { [service.request ? 'post' : 'get']: operation } },
    components: { securitySchemes: { connectorToken: { type: 'http', scheme: 'bearer', description: "The consumer connector's token." } } },
  };
}
