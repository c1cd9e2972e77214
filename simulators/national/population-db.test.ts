import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIZENS, HOUSEHOLDS } from './citizens.ts';
import { PURPOSE_FIELDS, sameName, startPopulationDb, type PopulationDb } from './population-db.ts';

describe('the citizens fixture', () => {
  it('has 20 citizens whose personal ids agree with their birth year and gender (century-gender digit, year digits)', () => {
    expect(CITIZENS).toHaveLength(20);
    for (const c of CITIZENS) {
      expect(c.personalId, c.fullName).toMatch(/^\d{12}$/);
      const year = Number(c.dateOfBirth.slice(0, 4));
      // Circular 59/2021/TT-BCA: 0/1 a man/woman born 1900-1999, 2/3 born 2000-2099.
      const centuryGender = (Math.floor(year / 100) - 19) * 2 + (c.gender === 'female' ? 1 : 0);
      expect(c.personalId[3], `${c.fullName}: century and gender digit`).toBe(String(centuryGender));
      expect(c.personalId.slice(4, 6), `${c.fullName}: year digits`).toBe(String(year % 100).padStart(2, '0'));
      expect(Number.isNaN(Date.parse(c.dateOfBirth)), c.dateOfBirth).toBe(false);
      expect(c.fullName.normalize('NFC')).toBe(c.fullName);
    }
    expect(new Set(CITIZENS.map((c) => c.personalId)).size).toBe(CITIZENS.length);
  });

  it('puts everyone in a household of Quảng Ninh with exactly one head', () => {
    for (const h of HOUSEHOLDS) {
      expect(h.address).toMatch(/tỉnh Quảng Ninh$/);
      expect(
        CITIZENS.filter((c) => c.household === h.code && c.relationToHead === 'Chủ hộ'),
        h.code,
      ).toHaveLength(1);
    }
    for (const c of CITIZENS)
      expect(
        HOUSEHOLDS.some((h) => h.code === c.household),
        c.fullName,
      ).toBe(true);
  });
});

describe('sameName', () => {
  it('ignores case, Unicode normalisation form and extra spaces, not diacritics', () => {
    expect(sameName('Nguyễn Thị Hồng Nhung', 'NGUYỄN THỊ HỒNG NHUNG')).toBe(true);
    expect(sameName('Nguyễn Thị Hồng Nhung', 'Nguyễn Thị Hồng Nhung'.normalize('NFD'))).toBe(true);
    expect(sameName('Nguyễn Thị Hồng Nhung', '  nguyễn  thị hồng   nhung ')).toBe(true);
    expect(sameName('Đặng Quốc Bảo', 'Dang Quoc Bao')).toBe(false);
    expect(sameName('Trần Văn Đức', 'Trần Văn Dức')).toBe(false);
  });
});

describe('the population database (real HTTP on 127.0.0.1)', () => {
  let db: PopulationDb;
  beforeAll(async () => {
    db = await startPopulationDb();
  });
  afterAll(() => db.close());

  const get = async (path: string, purpose?: string) => {
    const res = await fetch(`${db.url}${path}`, { headers: purpose === undefined ? {} : { 'x-lgsp-purpose': purpose } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const verify = async (claim: unknown, purpose = 'identity-check') => {
    const res = await fetch(`${db.url}/citizens:verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lgsp-purpose': purpose },
      body: typeof claim === 'string' ? claim : JSON.stringify(claim),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers a lookup with only the fields of the purpose', async () => {
    expect(await get('/citizens/034181007723', 'identity-check')).toEqual({
      status: 200,
      body: { personalId: '034181007723', fullName: 'Nguyễn Thị Hồng Nhung' },
    });
    expect(await get('/citizens/034181007723', 'dossier-intake')).toEqual({
      status: 200,
      body: {
        personalId: '034181007723',
        fullName: 'Nguyễn Thị Hồng Nhung',
        dateOfBirth: '1981-11-02',
        gender: 'female',
        permanentAddress: 'Tổ 2, khu 4, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh',
      },
    });
    const social = await get('/citizens/034181007723', 'social-assistance');
    expect(social.status).toBe(200);
    expect(social.body.household).toEqual({
      code: 'HGD-22-000101',
      relationToHead: 'Vợ',
      members: [
        { personalId: '022078004512', fullName: 'Trần Văn Đức', relationToHead: 'Chủ hộ' },
        { personalId: '034181007723', fullName: 'Nguyễn Thị Hồng Nhung', relationToHead: 'Vợ' },
        { personalId: '022206001938', fullName: 'Trần Minh Khôi', relationToHead: 'Con' },
        { personalId: '022312005214', fullName: 'Trần Ngọc Hân', relationToHead: 'Con' },
      ],
    });
    expect(Object.keys(social.body).sort()).toEqual(['personalId', ...PURPOSE_FIELDS['social-assistance']!].sort());
  });

  it('refuses an unknown purpose, or none, with 403 naming the purposes it knows', async () => {
    for (const purpose of ['marketing', 'constructor', undefined]) {
      const res = await get('/citizens/022190001234', purpose);
      expect(res.status, String(purpose)).toBe(403);
      expect(res.body).toMatchObject({ error: 'purpose-not-allowed', purposes: ['identity-check', 'dossier-intake', 'social-assistance'] });
      expect(res.body).not.toHaveProperty('fullName');
    }
    expect((await verify({ personalId: '022190001234', fullName: 'Phạm Thị Lan', dateOfBirth: '1990-05-17' }, 'marketing')).status).toBe(403);
  });

  it('answers 400 to a malformed personal id and 404 to an unknown one', async () => {
    for (const id of ['02219000123', '0221900012345', '02219000123a', 'abc']) {
      expect(await get(`/citizens/${id}`, 'identity-check'), id).toMatchObject({ status: 400, body: { error: 'invalid-personal-id' } });
    }
    expect(await get('/citizens/022190009999', 'identity-check')).toMatchObject({ status: 404, body: { error: 'citizen-not-found' } });
  });

  it('verifies a matching applicant, whatever the case and normalisation form of the name', async () => {
    for (const fullName of ['Phạm Thị Lan', 'PHẠM THỊ LAN', 'Phạm Thị Lan'.normalize('NFD')]) {
      const res = await verify({ personalId: '022190001234', fullName, dateOfBirth: '1990-05-17' });
      expect(res, fullName).toEqual({
        status: 200,
        body: {
          personalId: '022190001234',
          match: true,
          fullName: 'match',
          dateOfBirth: 'match',
          citizen: { personalId: '022190001234', fullName: 'Phạm Thị Lan' },
        },
      });
    }
  });

  it('says which field does not match and gives no record then', async () => {
    const noDiacritics = await verify({ personalId: '022201003170', fullName: 'Luong Duc Anh', dateOfBirth: '2001-03-08' });
    expect(noDiacritics).toEqual({ status: 200, body: { personalId: '022201003170', match: false, fullName: 'mismatch', dateOfBirth: 'match' } });
    const wrongDate = await verify({ personalId: '022201003170', fullName: 'Lương Đức Anh', dateOfBirth: '2001-08-03' });
    expect(wrongDate.body).toEqual({ personalId: '022201003170', match: false, fullName: 'match', dateOfBirth: 'mismatch' });
  });

  it('answers 400 to a malformed claim and 404 to an unknown citizen', async () => {
    expect((await verify('{not json')).status).toBe(400);
    expect((await verify({ personalId: '022190001234', fullName: 'Phạm Thị Lan' })).status).toBe(400);
    expect((await verify({ personalId: '022190001234', fullName: 'Phạm Thị Lan', dateOfBirth: '17/05/1990' })).body).toMatchObject({
      error: 'invalid-request',
    });
    expect((await verify({ personalId: '0221900', fullName: 'Phạm Thị Lan', dateOfBirth: '1990-05-17' })).status).toBe(400);
    expect((await verify({ personalId: '022190009999', fullName: 'Phạm Thị Lan', dateOfBirth: '1990-05-17' })).status).toBe(404);
  });
});
