/**
 * The running demo province: one simulator per agency system of `province.ts`, each registered
 * with the hub as a connector through the operator API, and an observer that prints what reaches
 * each simulator as it arrives. The commune e-office systems behave like real ones: each document
 * they receive is acknowledged with an edXML status package (03 "Đã tiếp nhận") posted to their
 * connector's inbound route.
 */
import { freePort } from '../src/kafka/local-broker.ts';
import { startPortalSimulator, type PortalSimulator } from '../connectors/dvcqg/simulator.ts';
import { encodeEdxml } from '../connectors/edxml/codec.ts';
import { startEofficeSimulator, type EofficeSimulator } from '../connectors/edxml/simulator.ts';
import { EDXML_CONTENT_TYPE } from '../connectors/edxml/delivery-encoding.ts';
import { signingKeyOf } from '../connectors/kit/signature.ts';
import { startAxisSimulator, type AxisSimulator } from '../connectors/vdxp/simulator.ts';
import { startWebhookSimulator, type WebhookSimulator } from '../connectors/webhook/simulator.ts';
import type { CloudEvent } from '../src/contract/cloud-event.ts';
import { sourceAgency } from '../src/contract/cloud-event.ts';
import type { PopulationDb } from '../simulators/national/population-db.ts';
import { startPopulationProvider } from './data-sharing.ts';
import type { HubApi } from './hub-api.ts';
import { acknowledgement, DOSSIER_STATUS } from './messages.ts';
import type { Narrator } from './narrator.ts';
import { AGENCY, AXIS, AXIS_LOGIN, DELIVERY, PORTAL, PORTAL_LOGIN, SYSTEMS, type SystemSpec } from './province.ts';

/** Who signs the acknowledgements of each commune (the clerk, "văn thư"). */
const CLERKS: Readonly<Record<string, string>> = {
  [AGENCY.baiChay]: 'Vũ Thị Hoa',
  [AGENCY.hongGai]: 'Đỗ Minh Tuấn',
  [AGENCY.quanLan]: 'Lê Văn Hải',
};

type Simulator = { kind: 'edxml'; sim: EofficeSimulator } | { kind: 'webhook'; sim: WebhookSimulator };

export interface RunningSystem {
  readonly spec: SystemSpec;
  readonly token: string;
  readonly simulator: Simulator;
  /** Events stored so far, in arrival order. */
  received(): CloudEvent[];
  close(): Promise<void>;
  restart(): Promise<void>;
}

export class DemoProvince {
  /** Everything that has happened that the script may wait for, in order. */
  private readonly seen = new Map<string, number>();
  private readonly acks: Promise<void>[] = [];
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly hub: HubApi;
  private readonly narrator: Narrator;
  readonly systems: ReadonlyMap<string, RunningSystem>;
  readonly portal: PortalSimulator;
  readonly axis: AxisSimulator;
  /** The national population database, provider of a data-sharing service (`data-sharing.ts`). */
  readonly population: PopulationDb;

  private constructor(
    hub: HubApi,
    narrator: Narrator,
    systems: ReadonlyMap<string, RunningSystem>,
    national: { portal: PortalSimulator; axis: AxisSimulator; population: PopulationDb },
  ) {
    this.hub = hub;
    this.narrator = narrator;
    this.systems = systems;
    this.portal = national.portal;
    this.axis = national.axis;
    this.population = national.population;
  }

  /** Starts every simulator and registers its connector; the directory must be loaded. */
  static async start(hub: HubApi, narrator: Narrator): Promise<DemoProvince> {
    const systems = new Map<string, RunningSystem>();
    for (const spec of SYSTEMS) {
      const system = spec.kind === 'edxml' ? await startEoffice(hub, spec) : await startOneStopShop(hub, spec);
      systems.set(spec.id, system);
      narrator.note('registered', `${spec.id.padEnd(20)} ${spec.kind.padEnd(8)} ${narrator.name(spec.agency)} (${spec.label}) at ${system.simulator.sim.url}`);
    }

    const portal = await startPortalSimulator({ ...PORTAL_LOGIN });
    await hub.registerConnector({
      id: PORTAL.id,
      agency: PORTAL.agency,
      kind: 'dvcqg',
      description: 'Cổng Dịch vụ công quốc gia: đồng bộ trạng thái hồ sơ (DongBoHoSoMC, CapNhatTienDoHoSoMC)',
      subscriptions: [{ type: 'vn.gov.dossier.status' }],
      delivery: DELIVERY,
      settings: { adapterUrl: portal.url, ...PORTAL_LOGIN, madonvi: AGENCY.province },
    });
    narrator.note(
      'registered',
      `${PORTAL.id.padEnd(20)} ${'dvcqg'.padEnd(8)} ${PORTAL.label}, for the national node ${narrator.name(PORTAL.agency)} at ${portal.url}`,
    );

    const axis = await startAxisSimulator({ ...AXIS_LOGIN });
    await hub.registerConnector({
      id: AXIS.id,
      agency: AXIS.agency,
      kind: 'vdxp',
      description: 'Trục liên thông văn bản quốc gia: hộp thư của UBND tỉnh Quảng Ninh',
      // The Government Office is in the province's directory (the central root): the axis carries its documents only because it is listed here.
      settings: { baseUrl: axis.url, ...AXIS_LOGIN, pollIntervalMs: 500, relayFor: [AGENCY.government] },
    });
    narrator.note('registered', `${AXIS.id.padEnd(20)} ${'vdxp'.padEnd(8)} ${narrator.name(AXIS.agency)} mailbox on the ${AXIS.label} at ${axis.url}`);

    const population = await startPopulationProvider(hub, narrator);

    return new DemoProvince(hub, narrator, systems, { portal, axis, population });
  }

  system(id: string): RunningSystem {
    const system = this.systems.get(id);
    if (!system) throw new Error(`no demo system ${id}`);
    return system;
  }

  /** Prints what reaches the simulators every 100 ms, and acknowledges documents at the communes. */
  observe(): void {
    this.timer = setInterval(() => {
      try {
        this.poll();
      } catch (err) {
        this.failure ??= err as Error;
      }
    }, 100);
  }

  /** The first thing that went wrong while observing (an acknowledgement the hub refused...). */
  get problem(): Error | undefined {
    return this.failure;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled(this.acks);
    await Promise.allSettled([...[...this.systems.values()].map((s) => s.close()), this.portal.close(), this.axis.close(), this.population.close()]);
  }

  private poll(): void {
    for (const system of this.systems.values()) {
      for (const event of this.fresh(system.spec.id, system.received())) {
        this.printDelivery(event, system);
        if (system.spec.acknowledges && event.type === 'vn.gov.document.sent') this.acknowledge(system, event);
      }
    }
    for (const d of this.fresh('portal', this.portal.dossiers())) {
      this.narrator.event(
        'stored',
        'DongBoHoSoMC',
        'hub',
        PORTAL.label,
        `MaHoSo ${d.MaHoSo}, TrangThaiHoSo ${d.TrangThaiHoSo} (${DOSSIER_STATUS[Number(d.TrangThaiHoSo)] ?? '?'})${d.DonViXuLy ? `, DonViXuLy: ${d.DonViXuLy}` : ''}`,
      );
    }
    for (const p of this.fresh('portal-progress', this.portal.progress())) {
      this.narrator.event('stored', 'CapNhatTienDoHoSoMC', 'hub', PORTAL.label, `MaHoSo ${p.MaHoSo}: ${p.TrangThai}, ${p.NguoiXuLy}`);
    }
  }

  /** The items of `list` not seen before under `key`. */
  private fresh<T>(key: string, list: readonly T[]): T[] {
    const before = this.seen.get(key) ?? 0;
    this.seen.set(key, list.length);
    return list.slice(before);
  }

  private printDelivery(event: CloudEvent, system: RunningSystem): void {
    const from = this.narrator.name(sourceAgency(event.source));
    const to = `${this.narrator.name(system.spec.agency)} (${system.spec.label})`;
    this.narrator.event('delivered', event.type, from, to, describe(event));
  }

  private acknowledge(system: RunningSystem, document: CloudEvent): void {
    const status = acknowledgement(document, system.spec.agency, CLERKS[system.spec.agency] ?? 'Văn thư');
    const pkg = encodeEdxml(status as unknown as CloudEvent);
    this.narrator.event(
      'answers',
      'vn.gov.document.status',
      `${this.narrator.name(system.spec.agency)} (e-office)`,
      this.narrator.name(sourceAgency(document.source)),
      '03 Đã tiếp nhận, an edXML status package to its inbound route',
    );
    const answer = this.hub.inbound(system.spec.id, system.token, EDXML_CONTENT_TYPE, pkg).then(
      () => undefined,
      (err: Error) => {
        this.failure ??= err;
      },
    );
    this.acks.push(answer);
  }
}

/** One line of detail about a message, in the words of its type. */
export function describe(event: CloudEvent): string {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'vn.gov.document.sent': {
      const code = d.code as { codeNumber: string; codeNotation: string };
      const type = (d.documentType as { typeName?: string }).typeName ?? 'Văn bản';
      return `${type} số ${code.codeNumber}/${code.codeNotation}: ${shorten(String(d.subject), 70)}`;
    }
    case 'vn.gov.document.status':
      return `${String(d.statusCode)} ${String(d.statusName ?? '')} for ${String(d.documentId)}`;
    case 'vn.gov.dossier.status':
      return `MaHoSo ${String(d.dossierCode)}, TrangThaiHoSo ${String(d.statusCode)} (${DOSSIER_STATUS[Number(d.statusCode)] ?? '?'})`;
    case 'vn.gov.dossier.transferred':
      return `hồ sơ ${String(d.dossierCode)} (${(d.documents as unknown[]).length} giấy tờ), liên thông`;
    default:
      return event.subject;
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

async function startEoffice(hub: HubApi, spec: SystemSpec): Promise<RunningSystem> {
  const sim = await startEofficeSimulator();
  const token = await hub.registerConnector(manifest(spec, sim.endpoint));
  return { spec, token, simulator: { kind: 'edxml', sim }, received: () => sim.received(), close: () => sim.close(), restart: () => sim.restart() };
}

/** A webhook simulator verifies signatures with the token's key, so it starts after registration, on a port chosen first. */
async function startOneStopShop(hub: HubApi, spec: SystemSpec): Promise<RunningSystem> {
  const port = await freePort();
  const token = await hub.registerConnector(manifest(spec, `http://127.0.0.1:${port}/events`));
  const sim = await startWebhookSimulator({ signingKey: signingKeyOf(token), port });
  return {
    spec,
    token,
    simulator: { kind: 'webhook', sim },
    received: () => sim.received().map((r) => r.event),
    close: () => sim.close(),
    restart: () => sim.restart(),
  };
}

function manifest(spec: SystemSpec, endpoint: string): Record<string, unknown> {
  const { id, agency, kind, description, subscriptions, accepts, roles } = spec;
  return { id, agency, kind, description, endpoint, subscriptions, ...(accepts ? { accepts } : {}), ...(roles ? { roles } : {}), delivery: DELIVERY };
}
