/**
 * A simulated national portal adapter (DVCQG) on 127.0.0.1, for tests and the demo, written from
 * the facts file (domain/dvcqg.md), not from our client:
 * - `POST {authPath}` `{ username, password }` with a `dstcode` header → `{ error_code, session }`;
 * - `POST {integrationPath}` `{ session, madonvi, service, ... }` with the `dstcode` header on every
 *   call (a call without it is an authentication failure), answering HTTP 200 with `error_code`:
 *   - `TraCuuHoSo` `{ mahoso }` → `result: [the dossier]` or `result: []`;
 *   - `LayThuTuc` `{ maTTHC }` → `result: [{ MATTHC, TENTTHC, LINHVUCTHUCHIEN: [{ MALINHVUC,
 *     TENLINHVUC }] }]` from its catalogue, or `result: []`;
 *   - `DongBoHoSoMC` `{ isUpdating, data[] }`: an upsert keyed by MaHoSo, where `isUpdating`
 *     ("True"/"False" or a boolean) must say whether the portal already holds each dossier: "False"
 *     for a new one, "True" after (the facts' rule), else INVALID_DATA;
 *   - `CapNhatTienDoHoSoMC` `{ data[] }` for dossiers it holds, TrangThai a status code;
 *   - any other service: UNKNOWN_SERVICE.
 * Success is written as 0, "0" or "00" (`successCode`); refusals use the codes of `codes` (numbers
 * or strings; default the table of `error-codes.ts`), with a Vietnamese `message`. A session expires
 * after N calls or at a time (`expireSessionsAfter`, `expireSessionsAt`, `expireSessions`), answered
 * as a refusal like any other. `answerNext` scripts the next answers of a service. Every request
 * that reached it is recorded (`calls()`) for field-by-field assertions.
 * Transport trouble comes from `faults` and from `close()` / `restart()` (state survives a restart).
 * `misbehave` breaks the contract on purpose for the conformance kit's tests.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { FaultPlan, startSimulatedSystem, type SimulatorTls } from '../kit/faults.ts';
import { PORTAL_ERROR } from './error-codes.ts';
import type { ThuTuc } from './portal-types.ts';

/** A portal answer as the simulator writes it. */
export interface SimulatedAnswer {
  error_code: number | string;
  message?: string;
  session?: string;
  result?: unknown[];
}

/** The refusal codes it answers with. */
export interface PortalCodes {
  authFailed: number | string;
  sessionExpired: number | string;
  invalidData: number | string;
  unknownService: number | string;
}

export interface PortalSimulatorOptions {
  username?: string;
  password?: string;
  dstcode?: string;
  authPath?: string;
  integrationPath?: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Serve https (with a required client certificate when `clientCa` is set). */
  tls?: SimulatorTls;
  /** How success is written; default the number 0. */
  successCode?: 0 | '0' | '00';
  codes?: Partial<PortalCodes>;
  /** The catalogue LayThuTuc answers from; default `SIMULATED_CATALOGUE`. */
  catalogue?: readonly ThuTuc[];
  /** Refuse an item that lacks any field of the facts file (public clients send every one). */
  requireEveryField?: boolean;
}

/** Ways to break the contract on purpose, for the conformance kit's own tests. */
export interface PortalMisbehaviour {
  /** Answer success to data that fails validation (instead of INVALID_DATA). */
  acceptPoison?: boolean;
  /** Answer INVALID_DATA "already exists" to a dossier identical to the one stored (instead of success: an upsert). */
  failDuplicates?: boolean;
}

/** One request that reached the portal (not one a fault answered). */
export interface PortalCall {
  readonly path: string;
  /** `login` for the auth path, else the body's `service`. */
  readonly service: string;
  readonly dstcode: string | undefined;
  readonly body: Record<string, unknown>;
  readonly answer: SimulatedAnswer;
}

export interface PortalSimulator {
  /** The adapter URL (`http://127.0.0.1:<port>`), stable across restarts. */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Requests received (faulted ones included), by endpoint. */
  readonly requests: { total: number; auth: number; integration: number };
  /** Every request that reached the portal, in order, with its answer. */
  calls(): PortalCall[];
  /** Accepted DongBoHoSoMC items, in the order received (a re-sent dossier appears again). */
  dossiers(): Record<string, unknown>[];
  /** The dossiers it holds now (the last accepted version of each MaHoSo). */
  held(): Record<string, unknown>[];
  /** Accepted CapNhatTienDoHoSoMC items, in order. */
  progress(): Record<string, unknown>[];
  /** Forgets every session: the next integration call is refused as expired. */
  expireSessions(): void;
  /** Sessions (present and future) expire after `calls` integration calls each; undefined: never. */
  expireSessionsAfter(calls: number | undefined): void;
  /** Sessions expire at `epochMs` (those made after it live until the next setting); undefined: never. */
  expireSessionsAt(epochMs: number | undefined): void;
  /** How success is written from now on. */
  setSuccessCode(code: 0 | '0' | '00'): void;
  /** The next `times` answers to `service` (`login` for the auth path) are `answer` instead. */
  answerNext(service: string, answer: SimulatedAnswer, times?: number): void;
  /** Replaces the misbehaviour; `{}` behaves again. */
  misbehave(modes: PortalMisbehaviour): void;
  close(): Promise<void>;
  restart(): Promise<void>;
}

/** The procedures the simulator's LayThuTuc knows (names from the national catalogue). */
export const SIMULATED_CATALOGUE: readonly ThuTuc[] = [
  { MATTHC: '1.001193', TENTTHC: 'Đăng ký khai sinh', LINHVUCTHUCHIEN: [{ MALINHVUC: 'HT-KS', TENLINHVUC: 'Hộ tịch' }] },
  {
    MATTHC: '2.000488',
    TENTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
    LINHVUCTHUCHIEN: [{ MALINHVUC: 'G15-LLTP', TENLINHVUC: 'Lý lịch tư pháp' }],
  },
  {
    MATTHC: '2.000720',
    TENTTHC: 'Đăng ký thành lập hộ kinh doanh',
    LINHVUCTHUCHIEN: [{ MALINHVUC: 'TL-HKD', TENLINHVUC: 'Thành lập và hoạt động của hộ kinh doanh' }],
  },
  { MATTHC: '2.000889', TENTTHC: 'Cấp giấy phép kinh doanh', LINHVUCTHUCHIEN: [{ MALINHVUC: 'CT-KD', TENLINHVUC: 'Thương mại' }] },
];

/** The dossier fields of the facts file, in its order; the lists are the last four. */
export const HOSO_FIELDS = [
  'MaHoSo',
  'MaTTHC',
  'TenTTHC',
  'MaLinhVuc',
  'TenLinhVuc',
  'SoBienNhan',
  'ChuHoSo',
  'LoaiDoiTuong',
  'MaDoiTuong',
  'Email',
  'SoDienThoai',
  'Fax',
  'TrichYeuHoSo',
  'NgayTiepNhan',
  'NgayHenTra',
  'TrangThaiHoSo',
  'NgayTra',
  'HinhThuc',
  'NgayKetThucXuLy',
  'DonViXuLy',
  'GhiChu',
  'TaiLieuNop',
  'DanhSachLePhi',
  'DanhSachHoSoBoSung',
  'DanhSachGiayToKetQua',
] as const;
const HOSO_LISTS = ['TaiLieuNop', 'DanhSachLePhi', 'DanhSachHoSoBoSung', 'DanhSachGiayToKetQua'];
const HOSO_DATES = ['NgayTiepNhan', 'NgayHenTra', 'NgayTra', 'NgayKetThucXuLy'];
/** The progress fields of the facts file, in its order. */
export const TIENDO_FIELDS = [
  'MaHoSo',
  'NguoiXuLy',
  'ChucDanh',
  'ThoiDiemXuLy',
  'PhongBanXuLy',
  'NoiDungXuLy',
  'TrangThai',
  'NgayBatDau',
  'NgayKetThucTheoQuyDinh',
] as const;
const TIENDO_DATES = ['ThoiDiemXuLy', 'NgayBatDau', 'NgayKetThucTheoQuyDinh'];

const DATE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
/** MaTTHC: N.NNNNNN, optionally followed by the agency code (domain/dvcqg.md, agency-codes.md). */
const MATTHC = /^\d+\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$/;

interface Session {
  calls: number;
  limit: number | undefined;
}

export async function startPortalSimulator(options: PortalSimulatorOptions = {}): Promise<PortalSimulator> {
  const creds = { username: options.username ?? 'lgsp', password: options.password ?? 'secret', dstcode: options.dstcode ?? 'H49' };
  const codes: PortalCodes = {
    authFailed: PORTAL_ERROR.AUTH_FAILED,
    sessionExpired: PORTAL_ERROR.SESSION_EXPIRED,
    invalidData: PORTAL_ERROR.INVALID_DATA,
    unknownService: PORTAL_ERROR.UNKNOWN_SERVICE,
    ...options.codes,
  };
  const catalogue = options.catalogue ?? SIMULATED_CATALOGUE;
  const faults = new FaultPlan();
  const requests = { total: 0, auth: 0, integration: 0 };
  const sessions = new Map<string, Session>();
  const calls: PortalCall[] = [];
  const accepted: Record<string, unknown>[] = [];
  const holding = new Map<string, Record<string, unknown>>();
  const steps: Record<string, unknown>[] = [];
  const scripted: { service: string; answer: SimulatedAnswer; times: number }[] = [];
  const authPath = options.authPath ?? '/auth';
  const integrationPath = options.integrationPath ?? '/integration';
  let success: 0 | '0' | '00' = options.successCode ?? 0;
  let callLimit: number | undefined;
  let expiresAt: number | undefined;
  let misbehaviour: PortalMisbehaviour = {};

  const ok = (extra: Partial<SimulatedAnswer> = {}): SimulatedAnswer => ({ error_code: success, message: 'Thành công', ...extra });
  const refuse = (code: keyof PortalCodes, message: string): SimulatedAnswer => ({ error_code: codes[code], message });
  const script = (service: string): SimulatedAnswer | undefined => {
    const next = scripted.find((s) => s.service === service);
    if (!next) return undefined;
    if (--next.times <= 0) scripted.splice(scripted.indexOf(next), 1);
    return next.answer;
  };

  const app = express();
  app.use((req, _res, next) => {
    requests.total += 1;
    if (req.path === authPath) requests.auth += 1;
    if (req.path === integrationPath) requests.integration += 1;
    next();
  });
  app.use(faults.middleware());
  app.use(express.json({ limit: '5mb' }));

  const answer = (req: Request, res: Response, service: string, body: Record<string, unknown>, reply: SimulatedAnswer) => {
    calls.push({ path: req.path, service, dstcode: req.get('dstcode'), body: structuredClone(body), answer: reply });
    res.json(reply);
  };

  app.post(authPath, (req, res) => {
    const body = record(req.body);
    const scriptedAnswer = script('login');
    if (scriptedAnswer) return answer(req, res, 'login', body, scriptedAnswer);
    if (body.username !== creds.username || body.password !== creds.password || req.get('dstcode') !== creds.dstcode) {
      return answer(req, res, 'login', body, refuse('authFailed', 'Sai thông tin đăng nhập'));
    }
    const session = randomUUID();
    sessions.set(session, { calls: 0, limit: callLimit });
    answer(req, res, 'login', body, ok({ session }));
  });

  app.post(integrationPath, (req, res) => {
    const body = record(req.body);
    const service = typeof body.service === 'string' ? body.service : '';
    const reply = (r: SimulatedAnswer) => answer(req, res, service, body, r);
    if (req.get('dstcode') !== creds.dstcode) return reply(refuse('authFailed', 'Thiếu hoặc sai dstcode'));
    const session = typeof body.session === 'string' ? sessions.get(body.session) : undefined;
    if (!session || (expiresAt !== undefined && Date.now() >= expiresAt) || (session.limit !== undefined && session.calls >= session.limit)) {
      if (session) sessions.delete(body.session as string);
      return reply(refuse('sessionExpired', 'Phiên làm việc đã hết hạn'));
    }
    session.calls += 1;
    const scriptedAnswer = script(service);
    if (scriptedAnswer) return reply(scriptedAnswer);
    if (typeof body.madonvi !== 'string' || body.madonvi === '') return reply(refuse('invalidData', 'madonvi: bắt buộc'));
    switch (service) {
      case 'TraCuuHoSo': {
        const code = String(body.mahoso ?? body.MaHoSo ?? '');
        const dossier = holding.get(code);
        return reply(ok({ result: dossier ? [structuredClone(dossier)] : [] }));
      }
      case 'LayThuTuc': {
        const code = String(body.maTTHC ?? body.MaTTHC ?? '');
        const found = catalogue.find((t) => t.MATTHC === code || code.startsWith(`${t.MATTHC}.`));
        return reply(ok({ result: found ? [structuredClone(found)] : [] }));
      }
      case 'DongBoHoSoMC': {
        const problem = checkDongBo(body);
        if (problem && !misbehaviour.acceptPoison) return reply(refuse('invalidData', problem));
        const items = (Array.isArray(body.data) ? body.data : []).map(record);
        if (misbehaviour.failDuplicates && items.some((item) => JSON.stringify(holding.get(String(item.MaHoSo))) === JSON.stringify(item))) {
          return reply(refuse('invalidData', 'Hồ sơ đã tồn tại'));
        }
        for (const item of items) {
          accepted.push(structuredClone(item));
          holding.set(String(item.MaHoSo), structuredClone(item));
        }
        return reply(ok());
      }
      case 'CapNhatTienDoHoSoMC': {
        const problem = checkItems(body.data, (item, at) => checkTienDo(item, at));
        if (problem && !misbehaviour.acceptPoison) return reply(refuse('invalidData', problem));
        for (const item of (Array.isArray(body.data) ? body.data : []).map(record)) steps.push(structuredClone(item));
        return reply(ok());
      }
      default:
        return reply(refuse('unknownService', `Dịch vụ không hỗ trợ: ${service || '(trống)'}`));
    }
  });

  // Unparseable JSON and other request errors: HTTP 400, portal-style body.
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 400).json({ error_code: codes.invalidData, message: err.message });
  });

  function checkDongBo(body: Record<string, unknown>): string | undefined {
    const isUpdating = readIsUpdating(body.isUpdating);
    if (isUpdating === undefined) return 'isUpdating: phải là "True" hoặc "False"';
    return checkItems(body.data, (item, at) => {
      const problem = checkHoSo(item, at);
      if (problem) return problem;
      const held = holding.has(String(item.MaHoSo));
      if (isUpdating && !held) return `${at}.MaHoSo: hồ sơ ${String(item.MaHoSo)} chưa có trên Cổng, isUpdating phải là "False"`;
      if (!isUpdating && held) return `${at}.MaHoSo: hồ sơ ${String(item.MaHoSo)} đã có trên Cổng, isUpdating phải là "True"`;
      return undefined;
    });
  }

  function checkHoSo(item: Record<string, unknown>, at: string): string | undefined {
    if (options.requireEveryField) {
      const missing = HOSO_FIELDS.find((name) => !(name in item));
      if (missing) return `${at}.${missing}: thiếu trường`;
    }
    for (const name of ['MaHoSo', 'MaTTHC', 'NgayTiepNhan', 'TrangThaiHoSo', 'LoaiDoiTuong']) {
      if (blank(item[name])) return `${at}.${name}: bắt buộc`;
    }
    if (!MATTHC.test(String(item.MaTTHC))) return `${at}.MaTTHC: sai định dạng`;
    if (!isStatusCode(item.TrangThaiHoSo)) return `${at}.TrangThaiHoSo: phải là mã trạng thái từ 1 đến 10`;
    if (String(item.LoaiDoiTuong) !== '1' && String(item.LoaiDoiTuong) !== '2') return `${at}.LoaiDoiTuong: phải là 1 hoặc 2`;
    for (const name of HOSO_LISTS) if (item[name] !== undefined && !Array.isArray(item[name])) return `${at}.${name}: phải là danh sách`;
    return checkDates(item, HOSO_DATES, at);
  }

  function checkTienDo(item: Record<string, unknown>, at: string): string | undefined {
    if (options.requireEveryField) {
      const missing = TIENDO_FIELDS.find((name) => !(name in item));
      if (missing) return `${at}.${missing}: thiếu trường`;
    }
    if (blank(item.MaHoSo)) return `${at}.MaHoSo: bắt buộc`;
    if (!holding.has(String(item.MaHoSo))) return `${at}.MaHoSo: hồ sơ ${String(item.MaHoSo)} chưa có trên Cổng`;
    if (!isStatusCode(item.TrangThai)) return `${at}.TrangThai: phải là mã trạng thái từ 1 đến 10`;
    return checkDates(item, TIENDO_DATES, at);
  }

  const system = await startSimulatedSystem(app, faults, options.port, options.tls);
  return {
    ...system,
    requests,
    calls: () => calls.map((c) => structuredClone(c)),
    dossiers: () => accepted.map((d) => structuredClone(d)),
    held: () => [...holding.values()].map((d) => structuredClone(d)),
    progress: () => steps.map((s) => structuredClone(s)),
    expireSessions: () => sessions.clear(),
    expireSessionsAfter: (n) => {
      callLimit = n;
      for (const session of sessions.values()) session.limit = n;
    },
    expireSessionsAt: (at) => {
      expiresAt = at;
    },
    setSuccessCode: (code) => {
      success = code;
    },
    answerNext: (service, reply, times = 1) => {
      scripted.push({ service, answer: reply, times });
    },
    misbehave: (modes) => {
      misbehaviour = { ...modes };
    },
  };
}

/** "True"/"False" in any case, or a boolean; undefined for anything else. */
function readIsUpdating(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

/** The first problem of a non-empty `data` list, as `data[i].Field: message`, or undefined. */
function checkItems(data: unknown, check: (item: Record<string, unknown>, at: string) => string | undefined): string | undefined {
  if (!Array.isArray(data) || data.length === 0) return 'data: phải là danh sách khác rỗng';
  for (const [i, value] of data.entries()) {
    const problem = check(record(value), `data[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Dates are "" when unknown, else a real `yyyyMMddHHmmss`. */
function checkDates(item: Record<string, unknown>, names: readonly string[], at: string): string | undefined {
  for (const name of names) {
    const v = item[name];
    if (v === undefined || v === '') continue;
    const m = typeof v === 'string' ? DATE.exec(v) : null;
    const [y, mo, d, h, mi, s] = (m?.slice(1) ?? []).map(Number) as number[];
    const real = m && new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!)).toISOString().startsWith(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`);
    if (!real) return `${at}.${name}: sai định dạng yyyyMMddHHmmss`;
  }
  return undefined;
}

/** A status code 1..10, as a number or a string of digits; a name is not one. */
function isStatusCode(value: unknown): boolean {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,2}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 10;
}

function blank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
