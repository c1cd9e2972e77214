/**
 * The demo province: Quảng Ninh (H49) as `directory/demo-province.json` describes it, and the agency
 * systems that take part in the story, each one connector of the hub.
 *
 * - e-office systems ("hệ thống quản lý văn bản và điều hành", kind `edxml`): the provincial
 *   People's Committee, Sở Tư pháp, the two (former) districts and the three communes;
 * - one-stop-shop systems ("hệ thống một cửa điện tử", kind `webhook`): phường Bãi Cháy (the
 *   focal point that receives the dossier) and thành phố Hạ Long (which processes it);
 * - the national public service portal (kind `dvcqg`), registered for the national node;
 * - the national document axis (kind `vdxp`), the province's mailbox for documents from the
 *   Government Office and the ministries.
 */
export const DIRECTORY_FILE = 'directory/demo-province.json';

export const AGENCY = {
  government: '000.00.00.G22', // Văn phòng Chính phủ: the national node
  publicSecurity: '000.00.00.G01', // Bộ Công an: keeps the national population database
  province: '000.00.00.H49', // UBND tỉnh Quảng Ninh
  justice: '000.00.15.H49', // Sở Tư pháp
  haLong: '000.00.05.H49', // UBND thành phố Hạ Long (district)
  vanDon: '000.00.09.H49', // UBND huyện Vân Đồn (district)
  baiChay: '000.01.05.H49', // UBND phường Bãi Cháy (commune, under Hạ Long)
  hongGai: '000.02.05.H49', // UBND phường Hồng Gai (commune, under Hạ Long)
  quanLan: '000.01.09.H49', // UBND xã Quan Lạn (commune, island, under Vân Đồn)
} as const;

export const COMMUNES = [AGENCY.baiChay, AGENCY.hongGai, AGENCY.quanLan] as const;

/** The hub's retry tiers for the demo (LGSP_RETRY_TIERS): short, so the outage plays in seconds. */
export const DEMO_RETRY_TIERS = '1s,5s,15s';

type Subscription = { readonly type: string };

export interface SystemSpec {
  readonly id: string;
  readonly agency: string;
  readonly kind: 'edxml' | 'webhook';
  /** How the narrator calls it after the agency name. */
  readonly label: string;
  readonly description: string;
  readonly subscriptions: readonly Subscription[];
  /** The types it receives when its agency is addressed; absent: every type its kind carries. */
  readonly accepts?: readonly string[];
  /** Manifest `roles`: the one-stop-shop systems are `one-stop`, which lets them send dossier messages (docs/policies.md). */
  readonly roles?: readonly 'one-stop'[];
  /** True for commune e-office systems: they acknowledge each document with edXML status 03. */
  readonly acknowledges?: boolean;
}

const DOCUMENTS: readonly Subscription[] = [{ type: 'vn.gov.document.sent' }, { type: 'vn.gov.document.status' }];
/** What a one-stop-shop system takes when its agency is addressed: dossiers, not the documents its e-office system receives. */
const DOSSIERS = ['vn.gov.dossier.status', 'vn.gov.dossier.transferred'] as const;

const eoffice = (id: string, agency: string, name: string, acknowledges = false): SystemSpec => ({
  id,
  agency,
  kind: 'edxml',
  label: 'e-office',
  description: `Hệ thống quản lý văn bản và điều hành, ${name}`,
  subscriptions: DOCUMENTS,
  acknowledges,
});

export const SYSTEMS: readonly SystemSpec[] = [
  eoffice('qn-ubnd-eoffice', AGENCY.province, 'UBND tỉnh Quảng Ninh'),
  eoffice('qn-stp-eoffice', AGENCY.justice, 'Sở Tư pháp'),
  eoffice('qn-halong-eoffice', AGENCY.haLong, 'UBND thành phố Hạ Long'),
  eoffice('qn-vandon-eoffice', AGENCY.vanDon, 'UBND huyện Vân Đồn'),
  eoffice('qn-baichay-eoffice', AGENCY.baiChay, 'UBND phường Bãi Cháy', true),
  eoffice('qn-honggai-eoffice', AGENCY.hongGai, 'UBND phường Hồng Gai', true),
  eoffice('qn-quanlan-eoffice', AGENCY.quanLan, 'UBND xã Quan Lạn', true),
  {
    id: 'qn-baichay-motcua',
    agency: AGENCY.baiChay,
    kind: 'webhook',
    label: 'one-stop-shop',
    description: 'Hệ thống một cửa điện tử, UBND phường Bãi Cháy (bộ phận tiếp nhận và trả kết quả)',
    subscriptions: [{ type: 'vn.gov.dossier.status' }],
    accepts: DOSSIERS,
    roles: ['one-stop'],
  },
  {
    id: 'qn-halong-motcua',
    agency: AGENCY.haLong,
    kind: 'webhook',
    label: 'one-stop-shop',
    description: 'Hệ thống một cửa điện tử, UBND thành phố Hạ Long',
    subscriptions: [{ type: 'vn.gov.dossier.transferred' }],
    accepts: DOSSIERS,
    roles: ['one-stop'],
  },
];

/** The system that goes down in step 3. */
export const OUTAGE_SYSTEM = 'qn-quanlan-eoffice';

export const PORTAL = { id: 'dvcqg-portal', agency: AGENCY.government, label: 'Cổng Dịch vụ công quốc gia' } as const;
export const AXIS = { id: 'vdxp-axis', agency: AGENCY.province, label: 'national document axis' } as const;

/** Portal simulator credentials (the dvcqg connector's settings). */
export const PORTAL_LOGIN = { username: 'lgsp-quangninh', password: 'demo-portal-password', dstcode: 'H49' } as const;
/** Axis simulator credentials (the vdxp connector's settings). */
export const AXIS_LOGIN = { systemId: 'lgsp-h49', secret: 'demo-axis-secret' } as const;

/**
 * Delivery settings of every pushing connector: the demo's tiers, a small breaker that opens
 * after three failures and tries again 3 s later, and enough retries (about a minute and a half)
 * that an outage of a few seconds never dead-letters anything.
 */
export const DELIVERY = {
  timeoutMs: 3_000,
  retrySchedule: ['1s', '1s', ...Array.from({ length: 18 }, () => '5s')],
  breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 3_000 },
} as const;
