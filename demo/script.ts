/**
 * The story the demo plays, step by step, against a hub and the demo province:
 *   0. a letter of the Government Office reaches the province through the national document axis;
 *   1. the province sends a directive to its whole subtree; each commune acknowledges it (edXML 03);
 *   2. a commune's one-stop-shop checks the applicant against the national population database (a
 *      data-sharing call through the hub, in its call log), receives the dossier and transfers it
 *      to the city ("liên thông"); every status is synchronised to the national public service portal;
 *   3. a commune's e-office system goes down; its breaker opens; it comes back, the breaker closes
 *      and the delivery arrives.
 * Every wait says what it waits for and gives up after its limit with `StepTimeout`.
 */
import { encodeEdxml } from '../connectors/edxml/codec.ts';
import type { CloudEvent } from '../src/contract/cloud-event.ts';
import type { TimelineEntry, Trace } from '../src/tracking/trace.ts';
import { APPLICANT_BIRTH_DATE, offerPopulationLookup, POPULATION } from './data-sharing.ts';
import type { HubApi } from './hub-api.ts';
import { Dossier, governmentLetter, provincialDirective, stormDispatch, vnNow } from './messages.ts';
import { clock, type Narrator } from './narrator.ts';
import { AGENCY, AXIS, COMMUNES, OUTAGE_SYSTEM, SYSTEMS } from './province.ts';
import { describe, type DemoProvince, type RunningSystem } from './systems.ts';

/** An expected step that did not happen in time. */
export class StepTimeout extends Error {
  constructor(what: string, timeoutMs: number, detail?: string) {
    super(`${what} did not happen within ${Math.round(timeoutMs / 1000)} s${detail ? ` (${detail})` : ''}`);
    this.name = 'StepTimeout';
  }
}

/** A message of the story whose trace the demo shows at the end. */
export interface Traced {
  readonly label: string;
  readonly path: string;
}

const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;

export class Script {
  private readonly traced: Traced[] = [];
  private readonly hub: HubApi;
  private readonly province: DemoProvince;
  private readonly narrator: Narrator;

  constructor(hub: HubApi, province: DemoProvince, narrator: Narrator) {
    this.hub = hub;
    this.province = province;
    this.narrator = narrator;
  }

  async play(): Promise<Traced[]> {
    await this.letterThroughTheAxis();
    await this.directiveToTheSubtree();
    await this.dossierAcrossLevels();
    await this.communeOutage();
    return this.traced;
  }

  private async letterThroughTheAxis(): Promise<void> {
    const n = this.narrator;
    n.heading('0. Văn phòng Chính phủ → UBND tỉnh through the national document axis (a pull mailbox)');
    const letter = governmentLetter();
    const docId = this.province.axis.deposit(AGENCY.province, encodeEdxml(letter as unknown as CloudEvent), { from: AGENCY.government });
    n.event(
      'deposited',
      'edXML package',
      n.name(AGENCY.government),
      `mailbox of ${n.name(AGENCY.province)} on the axis`,
      describe(letter as unknown as CloudEvent),
    );
    await this.until(
      `the hub to poll the mailbox (${AXIS.id}) and acknowledge the package "done" once Kafka has it`,
      20_000,
      () => this.province.axis.status(docId) === 'done',
    );
    n.note('fetched', `the hub took the package from the axis and acknowledged it (updateStatus done, docId ${docId.slice(0, 8)}…)`);
    const eoffice = this.province.system('qn-ubnd-eoffice');
    await this.until(`the letter at ${n.name(AGENCY.province)}'s e-office`, 20_000, () => eoffice.received().some((e) => e.id === letter.id));
  }

  private async directiveToTheSubtree(): Promise<void> {
    const n = this.narrator;
    n.heading('1. A directive of UBND tỉnh to its whole subtree; each commune acknowledges it (edXML status 03)');
    const sender = this.province.system('qn-ubnd-eoffice');
    const directive = provincialDirective();
    const accepted = await this.hub.send(sender.token, directive);
    this.traced.push({ label: 'Chỉ thị 12/CT-UBND', path: accepted.trace });
    n.event(
      'sent',
      directive.type,
      `${n.name(AGENCY.province)} (e-office)`,
      'subtree (every agency below the province)',
      describe(directive as unknown as CloudEvent),
    );

    const below = SYSTEMS.filter((s) => s.kind === 'edxml' && s.agency !== AGENCY.province).map((s) => this.province.system(s.id));
    await this.until(`the directive at the ${below.length} e-office systems below the province`, 20_000, () => below.every((s) => has(s, directive.id)));
    await this.until("the three communes' acknowledgements (03 Đã tiếp nhận) at the province", 20_000, () => {
      const statuses = sender.received().filter((e) => e.type === 'vn.gov.document.status' && e.data.documentId === directive.id);
      return COMMUNES.every((c) => statuses.some((e) => e.data.from === c));
    });
    const trace = await this.until("the directive's trace to record the three statuses", 10_000, async () => {
      const t = await this.hub.trace(accepted.trace);
      return t.statuses.length >= COMMUNES.length && t;
    });
    n.ok(`trace ${accepted.trace}: ${trace.summary} (unreachable: ${trace.unreachable.map((c) => n.name(c)).join(', ') || 'none'})`);
  }

  private async dossierAcrossLevels(): Promise<void> {
    const n = this.narrator;
    n.heading(
      '2. A dossier at phường Bãi Cháy: the applicant checked against the population database, the dossier transferred to thành phố Hạ Long ("liên thông"), every status synced to the national portal',
    );
    const commune = this.province.system('qn-baichay-motcua');
    const city = this.province.system('qn-halong-motcua');
    const dossier = new Dossier();
    n.say(`${dossier.applicant.name} files "${dossier.procedureName}" (MaTTHC ${dossier.procedureCode}) at the one-stop desk of ${n.name(AGENCY.baiChay)}`);
    await this.verifyApplicant(dossier, commune);

    const atPortal = (status: number) => () => this.province.portal.dossiers().some((d) => d.MaHoSo === dossier.code && d.TrangThaiHoSo === String(status));
    const sendStatus = async (system: RunningSystem, status: number, extra: Record<string, unknown> = {}, to = 'national') => {
      const event = dossier.status(system.spec.agency, status, extra, to);
      const accepted = await this.hub.send(system.token, event);
      this.traced.push({ label: `hồ sơ, TrangThaiHoSo ${status}`, path: accepted.trace });
      n.event(
        'sent',
        event.type,
        `${n.name(system.spec.agency)} (one-stop-shop)`,
        to === 'national'
          ? 'national'
          : `national + ${to
              .split(',')
              .slice(1)
              .map((c) => n.name(c))
              .join(', ')}`,
        describe(event as unknown as CloudEvent),
      );
      await this.until(`TrangThaiHoSo ${status} of ${dossier.code} at the national portal`, 20_000, atPortal(status));
    };

    await sendStatus(commune, 1);
    await sendStatus(commune, 2, { handlingUnit: n.name(AGENCY.baiChay) });

    const transfer = dossier.transfer(AGENCY.baiChay, AGENCY.haLong);
    const accepted = await this.hub.send(commune.token, transfer);
    this.traced.push({ label: 'hồ sơ liên thông', path: accepted.trace });
    n.event('sent', transfer.type, `${n.name(AGENCY.baiChay)} (one-stop-shop)`, n.name(AGENCY.haLong), describe(transfer as unknown as CloudEvent));
    await this.until(`the dossier at ${n.name(AGENCY.haLong)}'s one-stop-shop`, 20_000, () => has(city, transfer.id));

    const handlingUnit = 'Phòng Tài chính - Kế hoạch, UBND thành phố Hạ Long';
    const back = `national,${AGENCY.baiChay}`;
    await sendStatus(
      city,
      4,
      {
        handlingUnit,
        progress: {
          handler: 'Ngô Thanh Tùng',
          position: 'Chuyên viên',
          handledAt: vnNow(),
          department: handlingUnit,
          content: 'Thẩm định hồ sơ đăng ký hộ kinh doanh',
        },
      },
      back,
    );
    await sendStatus(city, 9, { handlingUnit, finishedAt: vnNow(), onTime: true }, back);
    await this.until(`statuses 4 and 9 back at ${n.name(AGENCY.baiChay)}'s one-stop-shop (the focal point)`, 20_000, () =>
      [4, 9].every((s) => commune.received().some((e) => e.data.dossierCode === dossier.code && e.data.statusCode === s)),
    );
    await sendStatus(commune, 10, { handlingUnit: n.name(AGENCY.baiChay), finishedAt: vnNow(), returnedAt: vnNow(), onTime: true });
    const synced = this.province.portal
      .dossiers()
      .filter((d) => d.MaHoSo === dossier.code)
      .map((d) => d.TrangThaiHoSo);
    n.ok(`the national portal holds MaHoSo ${dossier.code} with TrangThaiHoSo ${synced.join(' → ')}`);
  }

  /** Before accepting the dossier, the one-stop officer checks the applicant against the population database through the hub. */
  private async verifyApplicant(dossier: Dossier, commune: RunningSystem): Promise<void> {
    const n = this.narrator;
    await offerPopulationLookup(this.hub, this.province.population, n);
    const { name, idNumber } = dossier.applicant;
    const answer = await this.hub.callService(commune.token, POPULATION.service, 'citizens:verify', {
      officer: POPULATION.officer.id,
      purpose: POPULATION.purpose,
      json: { personalId: idNumber, fullName: name, dateOfBirth: APPLICANT_BIRTH_DATE },
    });
    const result = answer.body as { match: boolean; fullName: string; dateOfBirth: string; citizen?: { permanentAddress?: string } };
    n.event(
      'called',
      'POST citizens:verify',
      `${n.name(AGENCY.baiChay)} (one-stop-shop)`,
      POPULATION.label,
      `${result.match ? 'match' : 'NO MATCH'} (name ${result.fullName}, date of birth ${result.dateOfBirth}), X-LGSP-Call-Id ${answer.callId}`,
    );
    if (!result.match) throw new Error(`the population database does not confirm ${name} (${idNumber})`);
    const call = await this.until(`call ${answer.callId} in the call log of ${POPULATION.service}`, 10_000, async () =>
      (await this.hub.serviceCalls(POPULATION.service)).find((c) => c.id === answer.callId),
    );
    n.note(
      'call log',
      `${call.id}  ${call.consumer} (${call.consumerAgency}), officer ${call.officer}, purpose ${call.purpose}: ${call.method} ${call.path} → ${call.status} ${call.outcome} in ${call.latencyMs} ms, response SHA-256 ${call.responseSha256.slice(0, 12)}…`,
    );
    n.ok(
      `${POPULATION.officer.name} accepts the dossier: ${name} confirmed, living at ${result.citizen?.permanentAddress ?? '?'}; no photocopy of her ID card asked for`,
    );
  }

  private async communeOutage(): Promise<void> {
    const n = this.narrator;
    n.heading('3. The e-office system of xã Quan Lạn goes down, its breaker opens, it comes back and catches up');
    const down = this.province.system(OUTAGE_SYSTEM);
    const sender = this.province.system('qn-ubnd-eoffice');
    await down.close();
    n.note('down', `${n.name(down.spec.agency)} (e-office) stops answering: connections refused`);

    const dispatch = stormDispatch(COMMUNES);
    const accepted = await this.hub.send(sender.token, dispatch);
    this.traced.push({ label: 'Công điện 03/CĐ-UBND', path: accepted.trace });
    n.event(
      'sent',
      dispatch.type,
      `${n.name(AGENCY.province)} (e-office)`,
      COMMUNES.map((c) => n.name(c)).join(', '),
      describe(dispatch as unknown as CloudEvent),
    );

    const watcher = this.watch(accepted.trace, down);
    try {
      const others = COMMUNES.filter((c) => c !== down.spec.agency).map((c) => SYSTEMS.find((s) => s.agency === c && s.kind === 'edxml')!.id);
      await this.until("the dispatch at the other two communes at once, whatever Quan Lạn's state", 15_000, () =>
        others.every((id) => has(this.province.system(id), dispatch.id)),
      );
      await this.until(`the breaker of ${down.spec.id} to open (lgsp_circuit_breaker_state 2 on /metrics)`, 30_000, () => watcher.breaker() === 2);
      n.say('Quan Lạn stays down 3 s more: while the breaker is open the hub does not call it, the delivery waits in a retry tier');
      await new Promise((r) => setTimeout(r, 3_000));
      await down.restart();
      n.note('back', `${n.name(down.spec.agency)} (e-office) answers again on ${down.simulator.sim.url}`);
      await this.until(`the breaker of ${down.spec.id} to close after a successful trial delivery`, 30_000, () => watcher.breaker() === 0);
      await this.until(`the dispatch at ${n.name(down.spec.agency)}`, 30_000, () => has(down, dispatch.id));
      await this.until(`${n.name(down.spec.agency)}'s acknowledgement at the province`, 20_000, () =>
        sender.received().some((e) => e.type === 'vn.gov.document.status' && e.data.documentId === dispatch.id && e.data.from === down.spec.agency),
      );
    } finally {
      await watcher.stop();
    }
    const trace = await this.hub.trace(accepted.trace);
    const r = trace.recipients.find((x) => x.connector === down.spec.id);
    n.ok(`${n.name(down.spec.agency)} caught up: delivered at attempt ${r?.attempts ?? '?'}, nothing lost, the other communes never waited`);
  }

  /** Prints the breaker state of `system` and the retries of the message at `tracePath` as they change. */
  private watch(tracePath: string, system: RunningSystem): { breaker: () => number | undefined; stop: () => Promise<void> } {
    const n = this.narrator;
    let state: number | undefined;
    let printed = 0;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const trace: Trace = await this.hub.trace(tracePath);
        const failures = trace.timeline.filter(
          (e): e is Extract<TimelineEntry, { kind: 'retried' | 'dead-lettered' }> => e.kind === 'retried' || e.kind === 'dead-lettered',
        );
        for (const e of failures.slice(printed)) {
          const next = e.kind === 'retried' ? `; next try at ${clock(new Date(e.nextAttemptAt)).slice(0, 8)}` : `; dead-lettered (${e.stage})`;
          const attempt =
            e.reason === 'circuit breaker open' ? `attempt ${e.attempt} not made, the breaker is open` : `attempt ${e.attempt} failed: ${e.reason}`;
          n.event(
            e.kind === 'retried' ? 'retrying' : 'dead',
            'vn.gov.document.sent',
            n.name(AGENCY.province),
            `${n.name(e.agency)} (${e.connector})`,
            `${attempt}${next}`,
          );
        }
        printed = failures.length;
        const now = await this.hub.breakerState(system.spec.id);
        if (now !== undefined && now !== state) {
          if (state !== undefined)
            n.note('breaker', `${system.spec.id}: ${BREAKER_STATES[state]} → ${BREAKER_STATES[now]} (lgsp_circuit_breaker_state ${now})`);
          state = now;
        }
      } catch {
        // The next tick tries again; the script's own waits report what did not happen.
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), 100);
    return {
      breaker: () => state,
      stop: async () => {
        clearInterval(timer);
        while (busy) await new Promise((r) => setTimeout(r, 20));
        await tick();
      },
    };
  }

  /** Polls `probe` every 100 ms until it gives a value other than false/undefined; says what it waits for. */
  private async until<T>(what: string, timeoutMs: number, probe: () => T | Promise<T>): Promise<Exclude<T, false | undefined>> {
    this.narrator.wait(what, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    let last: Error | undefined;
    for (;;) {
      const problem = this.province.problem;
      if (problem) throw problem;
      try {
        const value = await probe();
        if (value !== false && value !== undefined) return value as Exclude<T, false | undefined>;
      } catch (err) {
        last = err as Error;
      }
      if (Date.now() > deadline) throw new StepTimeout(what, timeoutMs, last?.message);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function has(system: RunningSystem, id: string): boolean {
  return system.received().some((e) => e.id === id);
}
