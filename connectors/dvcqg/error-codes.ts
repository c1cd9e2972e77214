/**
 * The portal's `error_code` values as this connector understands them, and what the hub does with
 * each. The real portal's table was NOT read (domain/dvcqg.md): these codes are our assumption,
 * kept in this one table so that correcting them is a one-file change. The simulator answers with
 * exactly these codes; the client classifies with `portalErrorAction`.
 *
 * | error_code | name                  | meaning                                        | hub action           |
 * | ---------- | --------------------- | ---------------------------------------------- | -------------------- |
 * | 0          | OK                    | accepted                                       | delivered            |
 * | 1          | AUTH_FAILED           | wrong username, password or dstcode            | refused (fix config, replay) |
 * | 2          | SESSION_EXPIRED       | session unknown or expired                     | log in again once, then retry |
 * | 3          | INVALID_DATA          | missing field, bad date, bad status code       | refused (permanent)  |
 * | 4          | UNKNOWN_SERVICE       | `service` not offered                          | refused (permanent)  |
 * | 5          | TEMPORARILY_UNAVAILABLE | portal busy or in maintenance                | retry                |
 * | 99         | INTERNAL_ERROR        | portal-side failure                            | retry                |
 * | other      | (unknown)             | not in this table                              | retry (bounded by the schedule, then dead letter) |
 */
export const PORTAL_ERROR = {
  OK: 0,
  AUTH_FAILED: 1,
  SESSION_EXPIRED: 2,
  INVALID_DATA: 3,
  UNKNOWN_SERVICE: 4,
  TEMPORARILY_UNAVAILABLE: 5,
  INTERNAL_ERROR: 99,
} as const;

export type PortalErrorName = keyof typeof PORTAL_ERROR;

/** What the client does with an answer's `error_code`. */
export type PortalErrorAction = 'success' | 'relogin' | 'retry' | 'refuse';

const ACTIONS: Readonly<Record<number, PortalErrorAction>> = {
  [PORTAL_ERROR.OK]: 'success',
  [PORTAL_ERROR.AUTH_FAILED]: 'refuse',
  [PORTAL_ERROR.SESSION_EXPIRED]: 'relogin',
  [PORTAL_ERROR.INVALID_DATA]: 'refuse',
  [PORTAL_ERROR.UNKNOWN_SERVICE]: 'refuse',
  [PORTAL_ERROR.TEMPORARILY_UNAVAILABLE]: 'retry',
  [PORTAL_ERROR.INTERNAL_ERROR]: 'retry',
};

export function portalErrorAction(code: number): PortalErrorAction {
  return ACTIONS[code] ?? 'retry';
}

/** The table's name of a code, for reasons and logs (`error_code 42` when unknown). */
export function portalErrorName(code: number): string {
  const entry = Object.entries(PORTAL_ERROR).find(([, value]) => value === code);
  return entry ? entry[0] : `error_code ${code}`;
}
