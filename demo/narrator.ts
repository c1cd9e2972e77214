/**
 * How the demo speaks: one line per event, as it happens, on stdout.
 *
 *   09:41:07.312  delivered   vn.gov.document.sent     UBND tỉnh Quảng Ninh → UBND phường Bãi Cháy (e-office)  Chỉ thị số 12/CT-UBND
 *
 * Agency names come from the directory the demo loaded into the hub ("Ủy ban nhân dân" is shown
 * as the usual "UBND"). Headings mark the steps of the script; `wait` lines say what the script
 * waits for and for how long at most.
 */
export type Names = ReadonlyMap<string, string>;

const WHAT_WIDTH = 11;
const TYPE_WIDTH = 26;

export class Narrator {
  private names: Names = new Map();
  private readonly write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
    this.write = write;
  }

  /** Names by agency code, from the directory as the hub holds it. */
  useNames(names: Names): void {
    this.names = names;
  }

  /** The display name of an agency: its directory name, shortened, else the code. */
  name(code: string | undefined): string {
    if (code === undefined) return '?';
    const name = this.names.get(code);
    return name === undefined ? code : name.replace(/^Ủy ban nhân dân /, 'UBND ');
  }

  heading(title: string): void {
    this.write('');
    this.write(`── ${title} ${'─'.repeat(Math.max(3, 96 - title.length))}`);
  }

  /** Free text under a heading (what is about to happen, and why). */
  say(text: string): void {
    this.write(`${clock()}  ${text}`);
  }

  /** One event: `what` (delivered, sent, stored, ...), the message type, from → to, a detail. */
  event(what: string, type: string, from: string, to: string, detail = ''): void {
    this.write(`${clock()}  ${what.padEnd(WHAT_WIDTH)} ${type.padEnd(TYPE_WIDTH)} ${from} → ${to}${detail ? `  ${detail}` : ''}`);
  }

  /** A fact that is not a message: a breaker state, a system going down. */
  note(what: string, text: string): void {
    this.write(`${clock()}  ${what.padEnd(WHAT_WIDTH)} ${text}`);
  }

  wait(what: string, timeoutMs: number): void {
    this.write(`${clock()}  ${'waiting'.padEnd(WHAT_WIDTH)} for ${what} (at most ${Math.round(timeoutMs / 1000)} s)`);
  }

  ok(text: string): void {
    this.write(`${clock()}  ${'✓'.padEnd(WHAT_WIDTH)} ${text}`);
  }

  line(text = ''): void {
    this.write(text);
  }
}

/** HH:MM:SS.mmm, local time (of now, or of `at`). */
export function clock(at: Date = new Date()): string {
  const now = at;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
}
