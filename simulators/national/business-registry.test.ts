import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEnterpriseCode, startBusinessRegistry, type BusinessRegistry } from './business-registry.ts';
import { ENTERPRISES } from './enterprises.ts';

describe('isEnterpriseCode', () => {
  it('accepts published codes and refuses a wrong check digit, length or branch number', () => {
    // Vectors of python-stdnum's vn.mst doctests, and two well-known published tax codes.
    for (const good of ['0100233488', '0314409058-002', '0100109106', '5700100256']) expect(isEnterpriseCode(good), good).toBe(true);
    for (const bad of ['0100233480', '5700100257', '010023348', '01002334888', '0314409058-000', '0314409058-02', '0314409058002', 'abcdefghij']) {
      expect(isEnterpriseCode(bad), bad).toBe(false);
    }
  });

  it('holds for every fixture, each branch under a registered enterprise of Quảng Ninh (57)', () => {
    expect(ENTERPRISES.length).toBeGreaterThanOrEqual(10);
    for (const e of ENTERPRISES) {
      expect(isEnterpriseCode(e.enterpriseCode), e.name).toBe(true);
      expect(e.enterpriseCode.slice(0, 2), e.name).toBe('57');
      expect(e.registeredAddress, e.name).toMatch(/tỉnh Quảng Ninh$/);
      if (e.parentCode)
        expect(e.enterpriseCode.startsWith(`${e.parentCode}-`) && ENTERPRISES.some((p) => p.enterpriseCode === e.parentCode), e.name).toBe(true);
    }
  });
});

describe('the business registration database (real HTTP on 127.0.0.1)', () => {
  let registry: BusinessRegistry;
  beforeAll(async () => {
    registry = await startBusinessRegistry();
  });
  afterAll(() => registry.close());

  const get = async (code: string) => {
    const res = await fetch(`${registry.url}/enterprises/${code}`, { headers: { 'x-lgsp-purpose': 'dossier-intake' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers an enterprise with its status named as the portal names it', async () => {
    expect(await get('5704051779')).toEqual({
      status: 200,
      body: {
        enterpriseCode: '5704051779',
        name: 'Công ty TNHH MTV Vận tải biển Cái Lân',
        englishName: 'Cai Lan Shipping One Member Company Limited',
        type: 'Công ty trách nhiệm hữu hạn một thành viên',
        status: { code: 'suspended', name: 'Tạm ngừng kinh doanh có thời hạn' },
        registeredAddress: 'Số 3 đường Cái Lân, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh',
        legalRepresentative: { fullName: 'Bùi Xuân Trường', position: 'Giám đốc' },
        registrationDate: '2010-11-30',
      },
    });
  });

  it('answers a branch by its 13-digit code, with its parent', async () => {
    const branch = await get('5702438107-001');
    expect(branch.status).toBe(200);
    expect(branch.body).toMatchObject({ parentCode: '5702438107', type: 'Chi nhánh', status: { code: 'active', name: 'Đang hoạt động' } });
  });

  it('answers 400 to a malformed code and 404 to an unregistered one', async () => {
    for (const code of ['5702438100', '570243810', '5702438107-000', '5702438107001']) {
      expect(await get(code), code).toMatchObject({ status: 400, body: { error: 'invalid-enterprise-code' } });
    }
    expect(await get('0100109106')).toMatchObject({ status: 404, body: { error: 'enterprise-not-found' } });
    expect(await get('5702438107-002')).toMatchObject({ status: 404 });
  });
});
