/**
 * The connector kinds the hub knows (`connectors/index.ts`), each as the hub registers it: its
 * settings spec with the kit transport's added (TLS; `withTransportSettings`), compiled once with
 * the one ajv instance, and its secret settings with the transport's. Also the checks a manifest
 * must pass before it is registered (also available alone, as `POST /v1/connectors:validate`, so
 * an integrator can check a manifest first).
 */
import type { ConnectorAdapter } from '../../connectors/kit/adapter.ts';
import { withTransportSettings } from '../../connectors/kit/transport-settings.ts';
import { formatDuration, parseDuration } from '../config/duration.ts';
import type { ConnectorManifest, SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import type { AgencyDirectory } from './agency-directory.ts';

export class ConnectorKinds {
  private readonly adapters: ReadonlyMap<string, { adapter: ConnectorAdapter; checkSettings: (s: unknown) => ValidationIssue[] }>;

  constructor(
    adapters: readonly ConnectorAdapter[],
    private readonly schemas: SchemaSet,
    /** The hub's retry tiers: every wait of a retry schedule must be one of them. */
    private readonly retryTiersMs: readonly number[],
  ) {
    this.adapters = new Map(
      adapters.map(withTransportSettings).map((adapter) => [adapter.kind, { adapter, checkSettings: schemas.settingsValidator(adapter.settingsSchema) }]),
    );
  }

  /** The kind as registered: `settingsSchema` and `secretSettings` include the transport's. */
  get(kind: string): ConnectorAdapter | undefined {
    return this.adapters.get(kind)?.adapter;
  }

  get names(): string[] {
    return [...this.adapters.keys()];
  }

  /** Schema, kind, the kind's settings, the agency, subscribed types. Returns the manifest with defaults, or the issues. */
  check(value: unknown, directory: AgencyDirectory): { issues: ValidationIssue[]; manifest?: ConnectorManifest } {
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
    if (kind?.adapter.endpointRequired && manifest.subscriptions.length > 0 && !manifest.endpoint) {
      found.push({ path: '/endpoint', message: `a ${manifest.kind} connector that subscribes to messages needs the endpoint the hub delivers to` });
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
    return found.length > 0 ? { issues: found } : { issues: [], manifest };
  }
}
