/**
 * Parses the body of `POST /v1/agencies:import` (SPEC §3): a JSON array of agency records, or CSV
 * (RFC 4180) with the header `code,name,level,parent`. It only parses and shapes: the caller
 * then checks each record with `SchemaSet.validateAgency` (prefixing `/<index>`) and the whole set
 * with `AgencyDirectory.with`, and answers every issue as a validation problem.
 *
 * Issues are JSON Pointers `/<row>/<field>` (row 0 is the first array element or the first data
 * line after the CSV header; blank CSV lines are not rows), `/header` for a wrong CSV header and
 * the empty pointer for a body that is not a JSON array. CSV messages end with the line number.
 * When there are issues, `records` holds only the rows that could be shaped: do not import them.
 */
import type { AgencyLevel, AgencyRecord, ValidationIssue } from '../contract/schema-set.ts';

export type AgencyImportType = 'application/json' | 'text/csv';

export interface AgencyImport {
  records: AgencyRecord[];
  issues: ValidationIssue[];
}

export const AGENCY_CSV_HEADER = 'code,name,level,parent';

/** The levels of `AgencyLevel` (the Record type makes the compiler check the list is complete). */
const LEVELS: Readonly<Record<AgencyLevel, true>> = { central: true, province: true, district: true, commune: true, unit: true };
const LEVEL_MESSAGE = `must be one of: ${Object.keys(LEVELS)
  .map((l) => JSON.stringify(l))
  .join(', ')}`;

/**
 * Call with the request body as text (a UTF-8 BOM is tolerated) and its media type. Never throws.
 * Names are normalized to Unicode NFC (Vietnamese text from some tools arrives decomposed).
 * JSON: a `null` parent means none; other properties are kept for the schema to refuse.
 * CSV: CRLF or LF, quoted fields may hold commas, quotes (doubled) and line breaks; spaces around
 * fields are trimmed; an empty parent means none; the header is matched ignoring case and spaces.
 */
export function parseAgencyImport(body: string, contentType: AgencyImportType): AgencyImport {
  const text = body.startsWith('\uFEFF') ? body.slice(1) : body;
  return contentType === 'text/csv' ? parseCsv(text) : parseJson(text);
}

function parseJson(text: string): AgencyImport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { records: [], issues: [{ path: '', message: `is not valid JSON: ${(error as Error).message}` }] };
  }
  if (!Array.isArray(value)) return { records: [], issues: [{ path: '', message: 'must be a JSON array of agency records' }] };
  const result: AgencyImport = { records: [], issues: [] };
  value.forEach((element: unknown, row) => {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      result.issues.push({ path: `/${row}`, message: 'must be an object { code, name, level, parent? }' });
      return;
    }
    const { parent, ...rest } = element as Record<string, unknown>;
    const before = result.issues.length;
    const field = (name: 'code' | 'name' | 'level', problem: string): void => {
      result.issues.push({ path: `/${row}/${name}`, message: problem });
    };
    const { code, name, level } = rest;
    if (typeof code !== 'string') field('code', code === undefined ? 'is required' : 'must be a string');
    if (typeof name !== 'string') field('name', name === undefined ? 'is required' : 'must be a string');
    if (level === undefined) field('level', 'is required');
    else if (!isLevel(level)) field('level', LEVEL_MESSAGE);
    if (parent !== undefined && parent !== null && typeof parent !== 'string') {
      result.issues.push({ path: `/${row}/parent`, message: 'must be a string (or null, or absent, for none)' });
    }
    if (result.issues.length > before || typeof code !== 'string' || typeof name !== 'string' || !isLevel(level)) return;
    const record: AgencyRecord = { ...rest, code, name: name.normalize('NFC'), level };
    result.records.push(typeof parent === 'string' ? { ...record, parent } : record);
  });
  return result;
}

function parseCsv(text: string): AgencyImport {
  const lines = splitCsv(text).filter((l) => l.error !== undefined || l.fields.length > 1 || l.fields[0] !== '');
  const [header, ...rows] = lines;
  const got = header?.fields.map((f) => f.trim().toLowerCase()).join(',');
  if (!header || header.error !== undefined || got !== AGENCY_CSV_HEADER) {
    const seen = header ? `got "${header.fields.join(',')}"` : 'the body is empty';
    return { records: [], issues: [{ path: '/header', message: `the first line must be ${AGENCY_CSV_HEADER}; ${seen}` }] };
  }
  const result: AgencyImport = { records: [], issues: [] };
  rows.forEach(({ line, fields, error }, row) => {
    const at = ` (line ${line})`;
    if (error !== undefined) return void result.issues.push({ path: `/${row}`, message: error + at });
    if (fields.length !== 4) {
      return void result.issues.push({ path: `/${row}`, message: `has ${fields.length} fields; expected 4 (${AGENCY_CSV_HEADER})${at}` });
    }
    const [code = '', name = '', level = '', parent = ''] = fields.map((f) => f.trim());
    if (!isLevel(level)) return void result.issues.push({ path: `/${row}/level`, message: LEVEL_MESSAGE + at });
    const record: AgencyRecord = { code, name: name.normalize('NFC'), level };
    result.records.push(parent === '' ? record : { ...record, parent });
  });
  return result;
}

function isLevel(value: unknown): value is AgencyLevel {
  return typeof value === 'string' && Object.hasOwn(LEVELS, value);
}

interface CsvLine {
  /** 1-based line where the record starts. */
  readonly line: number;
  readonly fields: string[];
  readonly error?: string;
}

/** RFC 4180 records; a malformed record gets an `error` and the reader resumes at the next line. */
function splitCsv(text: string): CsvLine[] {
  const out: CsvLine[] = [];
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let value = '';
      const quote = skipBlanks(text, pos);
      if (text[quote] === '"') {
        const open = quote;
        pos = quote + 1;
        for (;;) {
          const close = text.indexOf('"', pos);
          if (close === -1) {
            error ??= 'unterminated quoted field: a closing " is missing';
            value += text.slice(pos);
            pos = text.length;
            break;
          }
          value += text.slice(pos, close);
          pos = close + 1;
          if (text[pos] !== '"') break;
          value += '"';
          pos++;
        }
        line += countNewlines(text.slice(open, pos));
        pos = skipBlanks(text, pos);
      } else {
        let end = pos;
        while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') end++;
        value = text.slice(pos, end);
        pos = end;
      }
      fields.push(value);
      const c = text[pos];
      if (c === ',') {
        pos++;
        continue;
      }
      if (c === undefined) break;
      if (c === '\n' || (c === '\r' && text[pos + 1] === '\n')) {
        pos += c === '\n' ? 1 : 2;
        line++;
        break;
      }
      error ??= `unexpected ${JSON.stringify(c)} after a field: quote the whole field and double the quotes inside it`;
      const next = text.indexOf('\n', pos);
      pos = next === -1 ? text.length : next + 1;
      line += next === -1 ? 0 : 1;
      break;
    }
    out.push(error === undefined ? { line: start, fields } : { line: start, fields, error });
  }
  return out;
}

/** Spaces and tabs around a quoted field are tolerated (hand-written files). */
function skipBlanks(text: string, pos: number): number {
  while (text[pos] === ' ' || text[pos] === '\t') pos++;
  return pos;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}
