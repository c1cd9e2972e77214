import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SchemaSet, type AgencyRecord } from '../contract/schema-set.ts';
import { AgencyDirectory, DirectoryError } from './agency-directory.ts';

const codes = (records: readonly AgencyRecord[]): string[] => records.map((r) => r.code);

function problemsOf(build: () => unknown): readonly { path: string; message: string }[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    if (error instanceof DirectoryError) {
      expect(error.code).toBe('agency-directory-invalid');
      return error.problems;
    }
  }
  throw new Error('expected a DirectoryError');
}

/** Thái Bình before 1 July 2025: the four-level tree, parents derived from the codes. */
const FOUR_LEVEL: AgencyRecord[] = [
  { code: '000.00.00.G22', name: 'Văn phòng Chính phủ', level: 'central' },
  { code: '000.00.00.H54', name: 'Ủy ban nhân dân tỉnh Thái Bình', level: 'province' },
  { code: '000.00.07.H54', name: 'Ủy ban nhân dân huyện Vũ Thư', level: 'district' },
  { code: '000.01.07.H54', name: 'Ủy ban nhân dân xã Song Lãng', level: 'commune' },
  { code: '000.02.07.H54', name: 'Ủy ban nhân dân xã Tân Hòa', level: 'commune' },
  { code: '000.00.15.H54', name: 'Sở Tư pháp tỉnh Thái Bình', level: 'unit' },
  { code: '000.03.15.H54', name: 'Trung tâm Trợ giúp pháp lý', level: 'unit' },
  { code: '001.03.15.H54', name: 'Chi nhánh Trợ giúp pháp lý số 1', level: 'unit' },
];

/** After 1 July 2025: communes keep a former district group in their code, parent explicit. */
const TWO_TIER: AgencyRecord[] = [
  { code: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', level: 'province' },
  { code: '000.12.05.H49', name: 'Ủy ban nhân dân phường Hạ Long', level: 'commune', parent: '000.00.00.H49' },
  { code: '000.01.09.H49', name: 'Ủy ban nhân dân đặc khu Vân Đồn', level: 'commune', parent: '000.00.00.H49' },
  { code: '000.00.15.H49', name: 'Sở Tư pháp tỉnh Quảng Ninh', level: 'unit' },
];

describe('the four-level tree', () => {
  const dir = AgencyDirectory.from(FOUR_LEVEL);

  it('derives parents from the codes, level-1 bodies under the national node', () => {
    expect(dir.size).toBe(8);
    expect(dir.national?.code).toBe('000.00.00.G22');
    expect(dir.roots().map((r) => r.code)).toEqual(['000.00.00.G22']);
    expect(dir.parentOf('000.00.00.H54')?.code).toBe('000.00.00.G22');
    expect(dir.parentOf('000.01.07.H54')?.code).toBe('000.00.07.H54');
    expect(dir.parentOf('001.03.15.H54')?.code).toBe('000.03.15.H54');
    expect(dir.parentOf('000.00.00.G22')).toBeUndefined();
    expect(dir.levelOf('000.00.07.H54')).toBe('district');
  });

  it('answers the selectors at any depth', () => {
    expect(codes(dir.childrenOf('000.00.00.H54'))).toEqual(['000.00.07.H54', '000.00.15.H54']);
    expect(codes(dir.childrenOf('000.01.07.H54'))).toEqual([]);
    expect(codes(dir.subtreeOf('000.00.00.H54'))).toEqual([
      '000.00.07.H54',
      '000.00.15.H54',
      '000.01.07.H54',
      '000.02.07.H54',
      '000.03.15.H54',
      '001.03.15.H54',
    ]);
    expect(codes(dir.subtreeOf('000.00.15.H54'))).toEqual(['000.03.15.H54', '001.03.15.H54']);
    expect(codes(dir.subtreeOf('000.00.00.G22'))).toHaveLength(7);
    expect(codes(dir.ancestorsOf('001.03.15.H54'))).toEqual(['000.03.15.H54', '000.00.15.H54', '000.00.00.H54', '000.00.00.G22']);
    expect(dir.ancestorsOf('000.00.00.G22')).toEqual([]);
  });

  it('answers empty for unknown codes', () => {
    expect(dir.has('000.00.00.H01')).toBe(false);
    expect(dir.get('000.00.00.H01')).toBeUndefined();
    expect(dir.parentOf('000.00.00.H01')).toBeUndefined();
    expect(dir.levelOf('000.00.00.H01')).toBeUndefined();
    expect(dir.childrenOf('000.00.00.H01')).toEqual([]);
    expect(dir.subtreeOf('000.00.00.H01')).toEqual([]);
    expect(dir.ancestorsOf('000.00.00.H01')).toEqual([]);
  });

  it('is immutable and keeps only the record fields', () => {
    const input = [{ ...FOUR_LEVEL[0], extra: 1 } as AgencyRecord];
    const small = AgencyDirectory.from(input);
    expect(small.get('000.00.00.G22')).toEqual(FOUR_LEVEL[0]);
    expect(Object.isFrozen(small.get('000.00.00.G22'))).toBe(true);
    expect(Object.isFrozen(dir.all())).toBe(true);
    expect(Object.isFrozen(dir.childrenOf('000.00.00.H54'))).toBe(true);
    expect(Object.isFrozen(dir)).toBe(true);
  });
});

describe('the two-tier tree', () => {
  const dir = AgencyDirectory.from(TWO_TIER);

  it('puts communes with a former district group under the province by their explicit parent', () => {
    expect(dir.national).toBeUndefined();
    expect(codes(dir.roots())).toEqual(['000.00.00.H49']);
    expect(codes(dir.childrenOf('000.00.00.H49'))).toEqual(['000.12.05.H49', '000.01.09.H49', '000.00.15.H49']);
    expect(codes(dir.ancestorsOf('000.12.05.H49'))).toEqual(['000.00.00.H49']);
    expect(codes(dir.subtreeOf('000.00.00.H49'))).toHaveLength(3);
  });
});

describe('the national node', () => {
  it('is absent when several central bodies have no parent: level-1 bodies are then roots', () => {
    const dir = AgencyDirectory.from([
      { code: '000.00.00.G22', name: 'Văn phòng Chính phủ', level: 'central' },
      { code: '000.00.00.G15', name: 'Bộ Tư pháp', level: 'central' },
      { code: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', level: 'province' },
    ]);
    expect(dir.national).toBeUndefined();
    expect(codes(dir.roots())).toEqual(['000.00.00.G22', '000.00.00.G15', '000.00.00.H49']);
  });

  it('allows a parent in another province when it is explicit', () => {
    const dir = AgencyDirectory.from([
      ...TWO_TIER,
      { code: '000.00.00.H54', name: 'Ủy ban nhân dân tỉnh Thái Bình', level: 'province' },
      { code: '000.00.20.H54', name: 'Đơn vị liên tỉnh', level: 'unit', parent: '000.00.00.H49' },
    ]);
    expect(dir.parentOf('000.00.20.H54')?.code).toBe('000.00.00.H49');
  });
});

describe('errors', () => {
  const province: AgencyRecord = { code: '000.00.00.H49', name: 'UBND tỉnh', level: 'province' };

  it('lists every problem at its record index and field', () => {
    const problems = problemsOf(() =>
      AgencyDirectory.from([
        province,
        { code: '000.00.15.H49', name: 'Sở', level: 'unit', parent: '000.00.99.H49' }, // unknown explicit parent
        { code: '001.00.15.H49', name: 'x', level: 'unit' }, // not derivable, not given
        { code: '000.00.00.H49', name: 'again', level: 'province' }, // duplicate
        { code: '000.01.07.H49', name: 'xã', level: 'commune' }, // derived parent absent
        { code: '00.00.00.H49', name: 'bad', level: 'unit' }, // malformed code
        { code: '000.00.16.H49', name: 'bad parent', level: 'unit', parent: 'H49' }, // malformed parent
      ]),
    );
    expect(problems.map((p) => p.path)).toEqual(['/1/parent', '/2/parent', '/3/code', '/4/parent', '/5/code', '/6/parent']);
    expect(problems[0]?.message).toMatch(/unknown parent "000\.00\.99\.H49"/);
    expect(problems[1]?.message).toMatch(/cannot be derived/);
    expect(problems[2]?.message).toMatch(/duplicate code "000\.00\.00\.H49" \(also at \/0\)/);
    expect(problems[3]?.message).toMatch(/derived from the code, "000\.00\.07\.H49", is not in the directory/);
    expect(problems[4]?.message).toMatch(/must match/);
    expect(problems[5]?.message).toMatch(/must match/);
  });

  it('accepts a code with no derivable parent when the parent is explicit', () => {
    const dir = AgencyDirectory.from([province, { code: '001.00.15.H49', name: 'x', level: 'unit', parent: '000.00.00.H49' }]);
    expect(dir.parentOf('001.00.15.H49')?.code).toBe('000.00.00.H49');
  });

  it('reports a cycle once, at its first record', () => {
    const problems = problemsOf(() =>
      AgencyDirectory.from([
        province,
        { code: '000.00.15.H49', name: 'a', level: 'unit', parent: '000.01.15.H49' },
        { code: '000.01.15.H49', name: 'b', level: 'unit' }, // derived: 000.00.15.H49
        { code: '000.00.16.H49', name: 'self', level: 'unit', parent: '000.00.16.H49' },
      ]),
    );
    expect(problems).toEqual([
      { path: '/1/parent', message: 'cycle: 000.00.15.H49 → 000.01.15.H49 → 000.00.15.H49' },
      { path: '/3/parent', message: 'cycle: 000.00.16.H49 → 000.00.16.H49' },
    ]);
  });
});

describe('with', () => {
  const dir = AgencyDirectory.from(FOUR_LEVEL);

  it('upserts in place and appends, leaving the original unchanged', () => {
    const next = dir.with([
      { code: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Quảng Ninh', level: 'province' },
      { code: '000.01.07.H54', name: 'Ủy ban nhân dân xã Song Lãng', level: 'commune', parent: '000.00.00.H54' },
    ]);
    expect(next.size).toBe(9);
    expect(codes(next.all()).indexOf('000.01.07.H54')).toBe(3);
    expect(next.parentOf('000.01.07.H54')?.code).toBe('000.00.00.H54');
    expect(next.parentOf('000.00.00.H49')?.code).toBe('000.00.00.G22');
    expect(dir.parentOf('000.01.07.H54')?.code).toBe('000.00.07.H54');
    expect(dir.has('000.00.00.H49')).toBe(false);
  });

  it('reports problems at the index of the records given', () => {
    const cycle: AgencyRecord = { code: '000.00.07.H54', name: 'huyện', level: 'district', parent: '000.01.07.H54' };
    const province: AgencyRecord = { code: '000.00.00.H49', name: 'x', level: 'province' };
    expect(problemsOf(() => dir.with([province, cycle, province]))).toEqual([{ path: '/2/code', message: 'duplicate code "000.00.00.H49" (also at /0)' }]);
    // The district's new parent is an existing commune whose derived parent is the district.
    expect(problemsOf(() => dir.with([province, cycle]))).toEqual([{ path: '/1/parent', message: 'cycle: 000.00.07.H54 → 000.01.07.H54 → 000.00.07.H54' }]);
  });
});

describe('directory/demo-province.json', () => {
  const records: unknown = JSON.parse(readFileSync(new URL('../../directory/demo-province.json', import.meta.url), 'utf8'));
  it('validates against the agency schema and loads as a directory', async () => {
    const schemas = await SchemaSet.load();
    expect(Array.isArray(records)).toBe(true);
    const list = records as unknown[];
    list.forEach((record, i) => expect(schemas.validateAgency(record), `/${i}`).toEqual([]));
    const dir = AgencyDirectory.from(list as AgencyRecord[]); // the schema accepted each
    expect(dir.national?.code).toBe('000.00.00.G22');
    expect(codes(dir.roots())).toEqual(['000.00.00.G22']);
    expect(dir.parentOf('000.00.00.H49')?.code).toBe('000.00.00.G22');
    expect(dir.parentOf('000.01.05.H49')?.code).toBe('000.00.05.H49');
    expect(dir.parentOf('000.12.05.H49')?.code).toBe('000.00.00.H49');
    expect(dir.subtreeOf('000.00.00.H49').length).toBe(dir.size - 4); // all but the national node, the two ministries and the province itself
  });
});
