/**
 * The connector kinds the hub knows (`connectors/index.ts`), each as the hub registers it: its
 * settings spec with the kit transport's added (TLS; `withTransportSettings`), compiled once with
 * the one ajv instance, and its secret settings with the transport's. Also the checks a manifest
 * must pass before it is registered (also available alone, as `POST /v1/connectors:validate`, so
 * an integrator can check a manifest first), among them the outbound policy: the hub refuses to
 * call link-local and cloud-metadata addresses (`outbound-policy.ts`), in `endpoint` and in every
 * setting the kind declares with `httpUrl` (the URLs it calls: a portal, an axis). And what a
 * registered connector receives when its agency is addressed (`acceptedTypes`, SPEC §1 "Receiving").
 */
import type { ConnectorAdapter } from '../../connectors/kit/adapter.ts';
import { naturalTypesOf } from '../../connectors/kit/kind-facts.ts';
import { OutboundPolicy } from '../../connectors/kit/outbound-policy.ts';
import { httpUrl, withTransportSettings } from '../../connectors/kit/transport-settings.ts';
import { formatDuration, parseDuration } from '../config/duration.ts';
import type { ConnectorManifest, SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import type { AgencyDirectory } from './agency-directory.ts';

/** The `pattern` of `httpUrl` settings: how a kind's spec marks the URLs its connectors call. */
const HTTP_URL_PATTERN = httpUrl('').pattern;

interface Kind {
  readonly adapter: ConnectorAdapter;
  readonly checkSettings: (s: unknown) => ValidationIssue[];
  /** Names of its `httpUrl` settings. */
  readonly urlSettings: readonly string[];
  /** The types its connectors can receive addressed to their agency: none for a kind that cannot deliver or that relays. */
  readonly addressable: readonly string[];
}

export class ConnectorKinds {
  private readonly adapters: ReadonlyMap<string, Kind>;
  private readonly schemas: SchemaSet;
  /** The hub's retry tiers: every wait of a retry schedule must be one of them. */
  private readonly retryTiersMs: readonly number[];
  /** The addresses connectors may call (LGSP_OUTBOUND_ALLOW applied); senders and pollers open their transports with it. */
  readonly outbound: OutboundPolicy;

  constructor(adapters: readonly ConnectorAdapter[], schemas: SchemaSet, retryTiersMs: readonly number[], outbound: OutboundPolicy = new OutboundPolicy()) {
    this.schemas = schemas;
    this.retryTiersMs = retryTiersMs;
    this.outbound = outbound;
    this.adapters = new Map(
      adapters.map(withTransportSettings).map((adapter) => {
        const properties = (adapter.settingsSchema.properties ?? {}) as Record<string, { pattern?: unknown }>;
        const urlSettings = Object.keys(properties).filter((name) => properties[name]!.pattern === HTTP_URL_PATTERN);
        // A relay's agency is its seat on a network of other agencies' systems: what is addressed to that agency is not for the network.
        const addressable = adapter.createSender && !adapter.relay ? naturalTypesOf(adapter, schemas.messageTypes) : [];
        return [adapter.kind, { adapter, checkSettings: schemas.settingsValidator(adapter.settingsSchema), urlSettings, addressable }];
      }),
    );
  }

  /** The kind as registered: `settingsSchema` and `secretSettings` include the transport's. */
  get(kind: string): ConnectorAdapter | undefined {
    return this.adapters.get(kind)?.adapter;
  }

  get names(): string[] {
    return [...this.adapters.keys()];
  }

  /**
   * Schema, kind, the kind's settings, the agency, subscribed types, the addresses it would call
   * (names resolved, at most `REGISTRATION_LOOKUP_MS`). Returns the manifest with defaults, or the issues.
   */
  async check(value: unknown, directory: AgencyDirectory): Promise<{ issues: ValidationIssue[]; manifest?: ConnectorManifest }> {
    const { issues, manifest: validated } = this.schemas.validateConnector(value);
    if (!validated) return { issues };
    // No schedule given: wait through the hub's own tiers, whatever LGSP_RETRY_TIERS says.
    const given = (value as { delivery?: { retrySchedule?: unknown } }).delivery?.retrySchedule;
    const manifest =
      given === undefined ? { ...validated, delivery: { ...validated.delivery, retrySchedule: this.retryTiersMs.map(formatDuration) } } : validated;
    const found: ValidationIssue[] = [];
    const kind = this.adapters.get(manifest.kind);
    if (!kind) found.push({ path: '/kind', message: `unknown kind "${manifest.kind}"; known kinds: ${this.names.join(', ')}` });
    else found.push(...kind.checkSettings(manifest.settings));
    if (!directory.has(manifest.agency)) found.push({ path: '/agency', message: `${manifest.agency} is not in the agency directory; import it first` });
    if (kind?.adapter.endpointRequired && (manifest.subscriptions.length > 0 || (manifest.accepts?.length ?? 0) > 0) && !manifest.endpoint) {
      found.push({ path: '/endpoint', message: `a ${manifest.kind} connector that subscribes to or accepts messages needs the endpoint the hub delivers to` });
    }
    manifest.delivery.retrySchedule.forEach((wait, i) => {
      if (!this.retryTiersMs.includes(parseDuration(wait))) {
        found.push({
          path: `/delivery/retrySchedule/${i}`,
          message: `"${wait}" is not one of the hub's retry tiers (${this.retryTiersMs.map(formatDuration).join(', ')}; LGSP_RETRY_TIERS)`,
        });
      }
    });
    manifest.subscriptions.forEach((s, i) => {
      if (!this.schemas.hasType(s.type)) found.push({ path: `/subscriptions/${i}/type`, message: `unknown message type "${s.type}"` });
    });
    if (kind) {
      manifest.accepts?.forEach((type, i) => {
        const message = acceptIssue(type, kind, this.schemas);
        if (message) found.push({ path: `/accepts/${i}`, message });
      });
    }
    found.push(...(await this.outboundIssues(manifest, kind)));
    return found.length > 0 ? { issues: found } : { issues: [], manifest };
  }

  /** Whether the hub can deliver to the connector at all: its kind sends, and it has the `endpoint` its kind sends to. */
  receives(manifest: ConnectorManifest): boolean {
    const adapter = this.get(manifest.kind);
    return adapter?.createSender !== undefined && (!adapter.endpointRequired || manifest.endpoint !== undefined);
  }

  /**
   * The types the connector receives when its agency is addressed (`to`, or a reply to what the
   * agency sent): every type its kind carries, narrowed by `accepts`; none when the hub cannot
   * deliver to it, or when its kind relays (it carries only what its subscriptions select).
   */
  acceptedTypes(manifest: ConnectorManifest): string[] {
    if (!this.receives(manifest)) return [];
    const carried = this.adapters.get(manifest.kind)?.addressable ?? [];
    const { accepts } = manifest;
    return accepts ? carried.filter((type) => accepts.includes(type)) : [...carried];
  }

  /** `endpoint` and the kind's URL settings the outbound policy refuses, each at its pointer. */
  private async outboundIssues(manifest: ConnectorManifest, kind: Kind | undefined): Promise<ValidationIssue[]> {
    const urls: [path: string, url: unknown][] = [
      ['/endpoint', manifest.endpoint],
      ...(kind?.urlSettings ?? []).map((name): [string, unknown] => [`/settings/${name}`, manifest.settings?.[name]]),
    ];
    const judged = await Promise.all(
      urls.map(async ([path, url]) => ({ path, message: typeof url === 'string' ? await this.outbound.refusalOfUrl(url) : undefined })),
    );
    return judged.filter((issue): issue is ValidationIssue => issue.message !== undefined);
  }
}

/** Why `type` cannot be in the `accepts` of a connector of `kind`, if it cannot. */
function acceptIssue(type: string, { adapter, addressable }: Kind, schemas: SchemaSet): string | undefined {
  if (!schemas.hasType(type)) return `unknown message type "${type}"; known types: ${schemas.messageTypes.join(', ')}`;
  if (addressable.includes(type)) return undefined;
  if (adapter.relay)
    return `${adapter.kind} connectors relay other agencies' messages and receive nothing addressed to their own agency; subscribe to "${type}" instead`;
  if (!adapter.createSender) return `${adapter.kind} connectors only send: the hub delivers nothing to them`;
  return `${adapter.kind} connectors do not carry ${type}; they carry ${addressable.join(', ')}`;
}
