/**
 * Dates between the hub (RFC 3339 with offset) and the portal (`yyyyMMddHHmmss` in
 * Asia/Ho_Chi_Minh time). Vietnam is UTC+07:00 all year (no DST), so the conversion is a fixed
 * offset computed here, never the machine's time zone. Both functions return undefined on bad input;
 * the mapping turns that into `dvcqg-bad-date` with the field's pointer.
 */
const OFFSET_MS = 7 * 60 * 60 * 1000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const PORTAL = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** `2025-07-01T01:12:00Z` → `20250701081200`. Fractions of a second are dropped. */
export function toPortalDate(rfc3339: string): string | undefined {
  if (!RFC3339.test(rfc3339)) return undefined;
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return undefined;
  const local = new Date(ms + OFFSET_MS); // read with getUTC* = wall clock in Vietnam
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    p(local.getUTCFullYear(), 4) +
    p(local.getUTCMonth() + 1) +
    p(local.getUTCDate()) +
    p(local.getUTCHours()) +
    p(local.getUTCMinutes()) +
    p(local.getUTCSeconds())
  );
}

/** `20250701081200` → `2025-07-01T08:12:00+07:00`; undefined unless a real calendar instant. */
export function fromPortalDate(portal: string): string | undefined {
  const m = PORTAL.exec(portal);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  ) {
    return undefined;
  }
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`;
}
