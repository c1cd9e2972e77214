/**
 * The portal's `error_code` values as this connector understands them, and what the hub does with
 * each. What the facts say (domain/dvcqg.md): success is `error_code` 0, which public clients read
 * as the number 0 or the strings "0" and "00" (`readErrorCode` accepts all three), and anything
 * else is the portal's refusal, with its `message`. The rest of this table was NOT read from the
 * portal: it is our assumption, kept in this one place so that correcting it is a one-file change.
 * The client never relies on SESSION_EXPIRED alone: an integration call refused while using a
 * session from an earlier attempt is retried once after a new login, whatever its code (`client.ts`).
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

/**
 * An answer's `error_code` as a number: an integer, or a string of digits (`"0"`, `"00"`, `"2"`,
 * `" -1 "`) as public clients compare it. Undefined when absent or anything else.
 */
export function readErrorCode(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d{1,9}\s*$/.test(value)) return Number(value.trim());
  return undefined;
}
