/**
 * edXML writes dates as `yyyy/MM/dd` and instants as `yyyy/MM/dd HH:mm:ss`, both in Vietnam's
 * time (Asia/Ho_Chi_Minh, UTC+07:00 all year, no daylight saving since 1975). The hub's contract
 * uses RFC 3339: `YYYY-MM-DD` and `YYYY-MM-DDTHH:mm:ss+07:00`. Input is read leniently (dashes,
 * a `T`, fractional seconds, an explicit offset); output is always the canonical form, so an
 * instant decoded here and encoded again comes back as the same string.
 */
import { EdxmlError } from './errors.ts';

const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
const DATE = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:$|[ T])/;
/** `dd/MM/yyyy`, as some e-office systems write PromulgationDate (domain/edxml.md, "What real packages look like"). */
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:$|[ T])/;
const INSTANT = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `yyyy/MM/dd` or `dd/MM/yyyy` (a time part is ignored) → `YYYY-MM-DD`, or undefined when `value`
 * is written in neither order. A date written in either order that does not exist on the calendar
 * (2014/02/30, 30/02/2014) throws: that is a wrong date, not an unknown one.
 */
export function readEdxmlDate(value: string, path: string): string | undefined {
  const text = value.trim();
  const ymd = DATE.exec(text);
  const dmy = ymd ? undefined : DAY_FIRST.exec(text);
  if (!ymd && !dmy) return undefined;
  const [y, mo, d] = ymd ? [ymd[1], ymd[2], ymd[3]] : [dmy![3], dmy![2], dmy![1]];
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) {
    throw new EdxmlError('edxml-invalid-value', path, `"${value}" is not a date of the calendar (rule: dates must exist); write yyyy/MM/dd, e.g. 2025/07/14.`);
  }
  return `${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
}

/** `yyyy/MM/dd` or `dd/MM/yyyy` → `YYYY-MM-DD`; anything else throws `edxml-invalid-value` naming `path`. */
export function edxmlDateToIso(value: string, path: string): string {
  const iso = readEdxmlDate(value, path);
  if (iso === undefined) throw new EdxmlError('edxml-invalid-value', path, `"${value}" is not a date; write yyyy/MM/dd, e.g. 2025/07/14.`);
  return iso;
}

/** `YYYY-MM-DD` → `yyyy/MM/dd`. */
export function isoDateToEdxml(date: string): string {
  return date.replaceAll('-', '/');
}

/** `yyyy/MM/dd HH:mm:ss` (Vietnam time unless an offset is given) → RFC 3339 at +07:00. */
export function edxmlInstantToRfc3339(value: string, path: string): string {
  const m = INSTANT.exec(value.trim());
  const [, y, mo, d, h, mi, s = '00', offset] = m ?? [];
  if (!m || !isCalendarDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new EdxmlError('edxml-invalid-value', path, `"${value}" is not a timestamp; write yyyy/MM/dd HH:mm:ss in Vietnam time, e.g. 2025/07/14 16:02:11.`);
  }
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  if (!offset) return `${local}+07:00`;
  const normalised = offset.length === 5 ? `${offset.slice(0, 3)}:${offset.slice(3)}` : offset;
  const vietnam = toVietnamTime(`${local}${normalised}`);
  if (!vietnam) throw new EdxmlError('edxml-invalid-value', path, `"${value}" has an impossible offset; write yyyy/MM/dd HH:mm:ss in Vietnam time.`);
  return vietnam;
}

/** Any RFC 3339 instant → `yyyy/MM/dd HH:mm:ss` in Vietnam time (fractional seconds dropped). */
export function rfc3339ToEdxmlInstant(value: string, path: string): string {
  const vietnam = toVietnamTime(value);
  if (!vietnam) {
    throw new EdxmlError('edxml-invalid-event', path, `"${value}" is not an RFC 3339 date-time with offset, e.g. 2025-07-14T16:02:11+07:00.`);
  }
  return vietnam.slice(0, 19).replace('T', ' ').replaceAll('-', '/');
}

/** The start of a Vietnamese calendar day, for events whose only date is a promulgation date. */
export function startOfDay(isoDate: string): string {
  return `${isoDate}T00:00:00+07:00`;
}

/** The same instant written at +07:00, or undefined when `rfc3339` is not a date-time with offset. */
function toVietnamTime(rfc3339: string): string | undefined {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(rfc3339) ? Date.parse(rfc3339) : NaN;
  return Number.isNaN(ms) ? undefined : `${new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
