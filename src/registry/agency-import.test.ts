import { describe, expect, it } from 'vitest';
import { parseAgencyImport } from './agency-import.ts';

describe('JSON', () => {
  it('returns the records of an array', () => {
    const body = JSON.stringify([
      { code: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', level: 'province' },
      { code: '000.12.05.H49', name: 'Ủy ban nhân dân phường Hạ Long', level: 'commune', parent: '000.00.00.H49' },
      { code: '000.00.15.H49', name: 'Sở Tư pháp', level: 'unit', parent: null },
    ]);
    expect(parseAgencyImport(`\uFEFF${body}`, 'application/json')).toEqual({
      records: [
        { code: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', level: 'province' },
        { code: '000.12.05.H49', name: 'Ủy ban nhân dân phường Hạ Long', level: 'commune', parent: '000.00.00.H49' },
        { code: '000.00.15.H49', name: 'Sở Tư pháp', level: 'unit' },
      ],
      issues: [],
    });
  });

  it('keeps unknown properties for the schema to refuse, and normalizes names to NFC', () => {
    const decomposed = 'Sở Tư pháp'.normalize('NFD');
    const { records } = parseAgencyImport(JSON.stringify([{ code: 'x', name: decomposed, level: 'unit', email: 'a@b' }]), 'application/json');
    expect(records).toEqual([{ code: 'x', name: 'Sở Tư pháp'.normalize('NFC'), level: 'unit', email: 'a@b' }]);
  });

  it('reports what cannot be shaped at /<row>/<field>', () => {
    const body = JSON.stringify([
      { code: '000.00.00.H49', name: 'ok', level: 'province' },
      'not an object',
      { name: 1, level: 'tinh', parent: 5 },
      { code: '000.00.15.H49', name: 'no level' },
    ]);
    const { records, issues } = parseAgencyImport(body, 'application/json');
    expect(records).toHaveLength(1);
    expect(issues.map((i) => i.path)).toEqual(['/1', '/2/code', '/2/name', '/2/level', '/2/parent', '/3/level']);
    expect(issues[3]?.message).toBe('must be one of: "central", "province", "district", "commune", "unit"');
  });

  it('reports a body that is not a JSON array at the root', () => {
    expect(parseAgencyImport('{"code":1}', 'application/json').issues).toEqual([{ path: '', message: 'must be a JSON array of agency records' }]);
    expect(parseAgencyImport('[{', 'application/json').issues[0]?.message).toMatch(/^is not valid JSON/);
  });
});

describe('CSV', () => {
  it('reads RFC 4180 with quotes, commas and diacritics, CRLF, a BOM and empty parents', () => {
    const body =
      '\uFEFFcode,name,level,parent\r\n' +
      '000.00.00.H49,Ủy ban nhân dân tỉnh Quảng Ninh,province,\r\n' +
      '000.00.15.H49,"Sở Tư pháp, tỉnh Quảng Ninh",unit,000.00.00.H49\r\n' +
      '000.01.15.H49,"Phòng Công chứng ""số 1""",unit,\r\n';
    expect(parseAgencyImport(body, 'text/csv')).toEqual({
      records: [
        { code: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', level: 'province' },
        { code: '000.00.15.H49', name: 'Sở Tư pháp, tỉnh Quảng Ninh', level: 'unit', parent: '000.00.00.H49' },
        { code: '000.01.15.H49', name: 'Phòng Công chứng "số 1"', level: 'unit' },
      ],
      issues: [],
    });
  });

  it('reads LF, no final newline, blank lines, spaces and line breaks inside quotes', () => {
    const body = 'Code, Name, Level, Parent\n\n000.00.00.H49, "UBND tỉnh\nQuảng Ninh" ,province,\n\n000.12.05.H49,Phường Hạ Long,commune, 000.00.00.H49';
    const { records, issues } = parseAgencyImport(body, 'text/csv');
    expect(issues).toEqual([]);
    expect(records).toEqual([
      { code: '000.00.00.H49', name: 'UBND tỉnh\nQuảng Ninh', level: 'province' },
      { code: '000.12.05.H49', name: 'Phường Hạ Long', level: 'commune', parent: '000.00.00.H49' },
    ]);
    // Line numbers count the line break inside the quoted name.
    expect(parseAgencyImport(`${body}\n000.00.19.H49,e,tinh,`, 'text/csv').issues).toEqual([
      { path: '/2/level', message: 'must be one of: "central", "province", "district", "commune", "unit" (line 7)' },
    ]);
  });

  it('reports a wrong or missing header at /header', () => {
    expect(parseAgencyImport('ma,ten,cap,cha\n000.00.00.H49,x,province,\n', 'text/csv')).toEqual({
      records: [],
      issues: [{ path: '/header', message: 'the first line must be code,name,level,parent; got "ma,ten,cap,cha"' }],
    });
    expect(parseAgencyImport('', 'text/csv').issues[0]?.path).toBe('/header');
    expect(parseAgencyImport('code,name,level\n', 'text/csv').issues[0]?.path).toBe('/header');
  });

  it('reports bad rows at /<row> with their line, and goes on', () => {
    const body = [
      'code,name,level,parent',
      '000.00.00.H49,a,province', // 3 fields
      '000.00.15.H49,"b"x,unit,', // text after a closing quote
      '000.00.16.H49,c,tinh,', // unknown level
      '000.00.17.H49,d,unit,',
      '000.00.18.H49,"unterminated,unit,',
    ].join('\n');
    const { records, issues } = parseAgencyImport(body, 'text/csv');
    expect(records).toEqual([{ code: '000.00.17.H49', name: 'd', level: 'unit' }]);
    expect(issues).toEqual([
      { path: '/0', message: 'has 3 fields; expected 4 (code,name,level,parent) (line 2)' },
      { path: '/1', message: 'unexpected "x" after a field: quote the whole field and double the quotes inside it (line 3)' },
      { path: '/2/level', message: 'must be one of: "central", "province", "district", "commune", "unit" (line 4)' },
      { path: '/4', message: 'unterminated quoted field: a closing " is missing (line 6)' },
    ]);
  });
});
