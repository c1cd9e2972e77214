/**
 * A simulated national portal adapter (DVCQG) on 127.0.0.1, for tests and the demo. It plays both
 * endpoints of domain/dvcqg.md with the error codes of `error-codes.ts`:
 * - `POST {authPath}` `{ username, password }` + `dstcode` header → `{ error_code: 0, session }`,
 *   or `AUTH_FAILED`;
 * - `POST {integrationPath}` `{ session, madonvi, service, ... }`: `SESSION_EXPIRED` for an unknown
 *   session (see `expireSessions`), `UNKNOWN_SERVICE`, `INVALID_DATA` with a message naming the
 *   field, else `{ error_code: 0 }` and the items are stored (`dossiers()`, `progress()`).
 * Business answers are HTTP 200, as the portal does; transport trouble comes from `faults`
 * (errors, slowness, hang, refused sockets; a status-200 `reject` with a body `{ error_code: 5 }`
 * plays a busy portal) and from `close()` / `restart()` (the portal down, then back on its port).
 * The validation here is deliberately independent of `mapping.ts` (MaTTHC's format included).
 * `misbehave` breaks the contract on purpose for the conformance kit's tests.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { FaultPlan, startSimulatedSystem, type SimulatorTls } from '../kit/faults.ts';
import { PORTAL_ERROR } from './error-codes.ts';
import type { HoSoMC, TienDoHoSoMC } from './portal-types.ts';

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
}

/** Ways to break the contract on purpose, for the conformance kit's own tests. */
export interface PortalMisbehaviour {
  /** Answer OK to data that fails validation (instead of INVALID_DATA). */
  acceptPoison?: boolean;
  /** Answer INVALID_DATA "already exists" to a dossier identical to one stored (instead of OK: an upsert). */
  failDuplicates?: boolean;
}

export interface PortalSimulator {
  /** The adapter URL (`http://127.0.0.1:<port>`), stable across restarts. */
  readonly url: string;
  readonly port: number;
  readonly faults: FaultPlan;
  /** Requests received (faulted ones included), by endpoint. */
  readonly requests: { total: number; auth: number; integration: number };
  /** Accepted DongBoHoSoMC items, in the order received (re-sent dossiers appear again). */
  dossiers(): HoSoMC[];
  /** Accepted CapNhatTienDoHoSoMC items, in order. */
  progress(): TienDoHoSoMC[];
  /** Forgets every session: the next integration call answers SESSION_EXPIRED. */
  expireSessions(): void;
  /** Replaces the misbehaviour; `{}` behaves again. */
  misbehave(modes: PortalMisbehaviour): void;
  close(): Promise<void>;
  restart(): Promise<void>;
}

const DATE = /^(\d{4})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])([0-5]\d)([0-5]\d)$/;
const HOSO_REQUIRED = ['MaHoSo', 'MaTTHC', 'ChuHoSo', 'LoaiDoiTuong', 'NgayTiepNhan', 'TrangThaiHoSo'];
const HOSO_DATES = ['NgayTiepNhan', 'NgayHenTra', 'NgayTra', 'NgayKetThucXuLy'];
const TIENDO_REQUIRED = ['MaHoSo', 'NguoiXuLy', 'ThoiDiemXuLy', 'TrangThai', 'NgayBatDau'];
const TIENDO_DATES = ['ThoiDiemXuLy', 'NgayBatDau', 'NgayKetThucTheoQuyDinh'];
/** MaTTHC: N.NNNNNN, optionally followed by the agency code (domain/dvcqg.md). */
const MATTHC = /^\d+\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$/;

export async function startPortalSimulator(options: PortalSimulatorOptions = {}): Promise<PortalSimulator> {
  const creds = { username: options.username ?? 'lgsp', password: options.password ?? 'secret', dstcode: options.dstcode ?? 'H49' };
  const faults = new FaultPlan();
  const requests = { total: 0, auth: 0, integration: 0 };
  const sessions = new Set<string>();
  const dossiers: HoSoMC[] = [];
  const steps: TienDoHoSoMC[] = [];
  const authPath = options.authPath ?? '/auth';
  const integrationPath = options.integrationPath ?? '/integration';
  let misbehaviour: PortalMisbehaviour = {};

  const app = express();
  app.use((req, _res, next) => {
    requests.total += 1;
    if (req.path === authPath) requests.auth += 1;
    if (req.path === integrationPath) requests.integration += 1;
    next();
  });
  app.use(faults.middleware());
  app.use(express.json({ limit: '5mb' }));

  app.post(authPath, (req, res) => {
    const body = record(req.body);
    if (body.username !== creds.username || body.password !== creds.password || req.get('dstcode') !== creds.dstcode) {
      res.json({ error_code: PORTAL_ERROR.AUTH_FAILED, message: 'Sai thông tin đăng nhập' });
      return;
    }
    const session = randomUUID();
    sessions.add(session);
    res.json({ error_code: PORTAL_ERROR.OK, session });
  });

  app.post(integrationPath, (req, res) => {
    const body = record(req.body);
    if (typeof body.session !== 'string' || !sessions.has(body.session)) {
      res.json({ error_code: PORTAL_ERROR.SESSION_EXPIRED, message: 'Phiên làm việc đã hết hạn' });
      return;
    }
    const problem = typeof body.madonvi === 'string' && body.madonvi !== '' ? undefined : 'madonvi: bắt buộc';
    if (body.service === 'DongBoHoSoMC') {
      const invalid = problem ?? (typeof body.isUpdating === 'boolean' ? undefined : 'isUpdating: phải là true/false') ??
        checkItems(body.data, HOSO_REQUIRED, HOSO_DATES, checkHoSo);
      if (invalid && !misbehaviour.acceptPoison) return void res.json({ error_code: PORTAL_ERROR.INVALID_DATA, message: invalid });
      if (misbehaviour.failDuplicates && Array.isArray(body.data) && body.data.some((item) => dossiers.some((d) => JSON.stringify(d) === JSON.stringify(item)))) {
        return void res.json({ error_code: PORTAL_ERROR.INVALID_DATA, message: 'Hồ sơ đã tồn tại' });
      }
      dossiers.push(...(body.data as HoSoMC[]));
    } else if (body.service === 'CapNhatTienDoHoSoMC') {
      const invalid = problem ?? checkItems(body.data, TIENDO_REQUIRED, TIENDO_DATES, () => undefined);
      if (invalid && !misbehaviour.acceptPoison) return void res.json({ error_code: PORTAL_ERROR.INVALID_DATA, message: invalid });
      steps.push(...(body.data as TienDoHoSoMC[]));
    } else {
      return void res.json({ error_code: PORTAL_ERROR.UNKNOWN_SERVICE, message: `Dịch vụ không hỗ trợ: ${String(body.service)}` });
    }
    res.json({ error_code: PORTAL_ERROR.OK, message: 'Thành công' });
  });

  // Unparseable JSON and other request errors: HTTP 400, portal-style body.
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 400).json({ error_code: PORTAL_ERROR.INVALID_DATA, message: err.message });
  });

  const system = await startSimulatedSystem(app, faults, options.port, options.tls);
  return {
    ...system,
    requests,
    dossiers: () => dossiers.map((d) => ({ ...d })),
    progress: () => steps.map((s) => ({ ...s })),
    expireSessions: () => sessions.clear(),
    misbehave: (modes) => {
      misbehaviour = { ...modes };
    },
  };
}

/** The first problem of a `data` list, as `data[i].Field: message`, or undefined. */
function checkItems(
  data: unknown,
  required: readonly string[],
  dates: readonly string[],
  extra: (item: Record<string, unknown>) => string | undefined,
): string | undefined {
  if (!Array.isArray(data) || data.length === 0) return 'data: phải là danh sách khác rỗng';
  for (const [i, value] of data.entries()) {
    const item = record(value);
    for (const name of required) {
      if (item[name] === undefined || item[name] === null || item[name] === '') return `data[${i}].${name}: bắt buộc`;
    }
    for (const name of dates) {
      const v = item[name];
      if (v !== undefined && (typeof v !== 'string' || !DATE.test(v))) return `data[${i}].${name}: sai định dạng yyyyMMddHHmmss`;
    }
    const problem = extra(item);
    if (problem) return `data[${i}].${problem}`;
  }
  return undefined;
}

function checkHoSo(item: Record<string, unknown>): string | undefined {
  const status = Number(item.TrangThaiHoSo);
  if (!Number.isInteger(status) || status < 1 || status > 10) return 'TrangThaiHoSo: phải từ 1 đến 10';
  if (String(item.LoaiDoiTuong) !== '1' && String(item.LoaiDoiTuong) !== '2') return 'LoaiDoiTuong: phải là 1 hoặc 2';
  if (!MATTHC.test(String(item.MaTTHC))) return 'MaTTHC: sai định dạng';
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
