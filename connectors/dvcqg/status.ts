/**
 * The portal's dossier status codes (DongBoHoSoMC TrangThaiHoSo, domain/dvcqg.md) and the on-time
 * rule. The one place that knows them: mapping, simulator and tests read from here. The table is
 * consistent across public one-stop codebases; the portal's own table was not read.
 */
export const DOSSIER_STATUSES = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
} as const satisfies Record<number, string>;

export type DossierStatusCode = keyof typeof DOSSIER_STATUSES;

export function isDossierStatusCode(value: unknown): value is DossierStatusCode {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 10;
}

/** Finished means processed (9) or result returned (10). */
export function isFinished(status: DossierStatusCode): boolean {
  return status === 9 || status === 10;
}

/**
 * The on-time rule (domain/dvcqg.md): a finished dossier is on time when it finished no later than
 * it was due. Undefined when it cannot be said: not finished, or a date missing. Takes instants.
 */
export function onTimeOf(status: DossierStatusCode, finishedAt: Date | undefined, dueAt: Date | undefined): boolean | undefined {
  if (!isFinished(status) || !finishedAt || !dueAt) return undefined;
  return finishedAt.getTime() <= dueAt.getTime();
}

/**
 * A deployment's status table: the portal code sent (TrangThaiHoSo, progress TrangThai) for each
 * canonical `statusCode`. The facts file says the mapping from local statuses to the portal's
 * codes is a table each deployment can change; the default is the identity over the table above.
 */
export type StatusTable = Readonly<Record<DossierStatusCode, string>>;

export const DEFAULT_STATUS_TABLE: StatusTable = {
  1: '1',
  2: '2',
  3: '3',
  4: '4',
  5: '5',
  6: '6',
  7: '7',
  8: '8',
  9: '9',
  10: '10',
};

/** The default table with a connector's `settings.statusTable` entries applied (keys "1".."10"). */
export function statusTableOf(overrides: Readonly<Record<string, string>> | undefined): StatusTable {
  const table: Record<number, string> = { ...DEFAULT_STATUS_TABLE };
  for (const [key, code] of Object.entries(overrides ?? {})) {
    const status = Number(key);
    if (isDossierStatusCode(status) && typeof code === 'string' && code !== '') table[status] = code;
  }
  return table as StatusTable;
}

/**
 * The canonical status of a portal code read inbound, through the same table; when two canonical
 * statuses share a portal code the lowest wins. Leading zeros are ignored (`"04"` is `"4"`).
 */
export function canonicalStatusOf(table: StatusTable, portalCode: number): DossierStatusCode | undefined {
  for (const [status, code] of Object.entries(table)) if (Number(code) === portalCode) return Number(status) as DossierStatusCode;
  return undefined;
}
