/**
 * The enterprises of the simulated business registration database ("Cơ sở dữ liệu quốc gia về
 * đăng ký doanh nghiệp"), written by hand: nine enterprises of Quảng Ninh and two branches. Names,
 * people and addresses are illustrative. The enterprise code ("mã số doanh nghiệp") is the tax code
 * (Law on Enterprises 2020 art. 29): ten digits, the first two the province where it was first
 * registered (57 Quảng Ninh), seven in sequence, a check digit (`business-registry.ts`); a branch
 * ("chi nhánh") has its parent's ten digits, '-', and three of its own (docs/simulators.md).
 */

/** Tình trạng hoạt động, as the national business registration portal words it. */
export const ENTERPRISE_STATUSES = {
  active: 'Đang hoạt động',
  suspended: 'Tạm ngừng kinh doanh có thời hạn',
  dissolving: 'Đang làm thủ tục giải thể',
  dissolved: 'Đã giải thể',
  revoked: 'Bị thu hồi Giấy chứng nhận đăng ký doanh nghiệp',
} as const;
export type EnterpriseStatus = keyof typeof ENTERPRISE_STATUSES;

export interface Enterprise {
  /** 10 digits, or 10 + '-' + 3 for a branch. */
  readonly enterpriseCode: string;
  /** Tên doanh nghiệp, in Vietnamese. */
  readonly name: string;
  /** Tên doanh nghiệp bằng tiếng nước ngoài, when registered. */
  readonly englishName?: string;
  /** Loại hình doanh nghiệp. */
  readonly type: string;
  readonly status: EnterpriseStatus;
  /** Địa chỉ trụ sở chính (of the branch, for a branch). */
  readonly registeredAddress: string;
  /** Người đại diện theo pháp luật (the head of a branch). */
  readonly legalRepresentative: { readonly fullName: string; readonly position: string };
  /** Ngày đăng ký lần đầu, YYYY-MM-DD. */
  readonly registrationDate: string;
  /** A branch's enterprise. */
  readonly parentCode?: string;
}

const JSC = 'Công ty cổ phần';
const LLC_ONE = 'Công ty trách nhiệm hữu hạn một thành viên';
const LLC_MANY = 'Công ty trách nhiệm hữu hạn hai thành viên trở lên';

export const ENTERPRISES: readonly Enterprise[] = [
  {
    enterpriseCode: '5702438107',
    name: 'Công ty Cổ phần Du lịch Vịnh Hạ Long Xanh',
    englishName: 'Ha Long Green Bay Tourism Joint Stock Company',
    type: JSC,
    status: 'active',
    registeredAddress: 'Số 88 đường Hạ Long, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Trần Văn Đức', position: 'Tổng giám đốc' },
    registrationDate: '2012-06-18',
  },
  {
    enterpriseCode: '5702438107-001',
    name: 'Chi nhánh Công ty Cổ phần Du lịch Vịnh Hạ Long Xanh tại Vân Đồn',
    type: 'Chi nhánh',
    status: 'active',
    registeredAddress: 'Khu 5, thị trấn Cái Rồng, huyện Vân Đồn, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Lê Hoàng Long', position: 'Giám đốc chi nhánh' },
    registrationDate: '2019-03-04',
    parentCode: '5702438107',
  },
  {
    enterpriseCode: '5703182641',
    name: 'Công ty TNHH Thủy sản Quan Lạn',
    englishName: 'Quan Lan Seafood Company Limited',
    type: LLC_MANY,
    status: 'active',
    registeredAddress: 'Thôn Đoài, xã Quan Lạn, huyện Vân Đồn, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Hoàng Thị Thủy', position: 'Giám đốc' },
    registrationDate: '2015-09-22',
  },
  {
    enterpriseCode: '5704051779',
    name: 'Công ty TNHH MTV Vận tải biển Cái Lân',
    englishName: 'Cai Lan Shipping One Member Company Limited',
    type: LLC_ONE,
    status: 'suspended',
    registeredAddress: 'Số 3 đường Cái Lân, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Bùi Xuân Trường', position: 'Giám đốc' },
    registrationDate: '2010-11-30',
  },
  {
    enterpriseCode: '5705123909',
    name: 'Công ty Cổ phần Xây dựng Hồng Gai',
    englishName: 'Hong Gai Construction Joint Stock Company',
    type: JSC,
    status: 'active',
    registeredAddress: 'Số 12 phố Bến Đoan, phường Hồng Gai, thành phố Hạ Long, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Lê Văn Thắng', position: 'Chủ tịch Hội đồng quản trị' },
    registrationDate: '2004-02-16',
  },
  {
    enterpriseCode: '5706204484',
    name: 'Doanh nghiệp tư nhân Nhàn Hương',
    type: 'Doanh nghiệp tư nhân',
    status: 'dissolved',
    registeredAddress: 'Khu 5, thị trấn Cái Rồng, huyện Vân Đồn, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Nguyễn Thị Nhàn', position: 'Chủ doanh nghiệp' },
    registrationDate: '2008-05-05',
  },
  {
    enterpriseCode: '5707018353',
    name: 'Công ty TNHH Thương mại Biên mậu Móng Cái',
    englishName: 'Mong Cai Border Trade Company Limited',
    type: LLC_MANY,
    status: 'active',
    registeredAddress: 'Số 25 phố Hữu Nghị, phường Trần Phú, thành phố Móng Cái, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Lương Đức Anh', position: 'Giám đốc' },
    registrationDate: '2021-08-12',
  },
  {
    enterpriseCode: '5707018353-001',
    name: 'Chi nhánh Công ty TNHH Thương mại Biên mậu Móng Cái tại Hạ Long',
    type: 'Chi nhánh',
    status: 'active',
    registeredAddress: 'Số 18 đường Hạ Long, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Phạm Thị Lan', position: 'Giám đốc chi nhánh' },
    registrationDate: '2023-10-02',
    parentCode: '5707018353',
  },
  {
    enterpriseCode: '5708159269',
    name: 'Công ty Cổ phần Cơ khí Chính xác Cẩm Phả',
    englishName: 'Cam Pha Precision Engineering Joint Stock Company',
    type: JSC,
    status: 'dissolving',
    registeredAddress: 'Tổ 6, khu Minh Tiến A, phường Cẩm Bình, thành phố Cẩm Phả, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Ngô Thị Ánh Tuyết', position: 'Giám đốc' },
    registrationDate: '2006-01-10',
  },
  {
    enterpriseCode: '5709230612',
    name: 'Công ty TNHH Giáo dục Ánh Dương Uông Bí',
    englishName: 'Anh Duong Uong Bi Education Company Limited',
    type: LLC_ONE,
    status: 'revoked',
    registeredAddress: 'Tổ 12, khu 6, phường Quang Trung, thành phố Uông Bí, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Đinh Thị Yến', position: 'Giám đốc' },
    registrationDate: '2020-07-01',
  },
  {
    enterpriseCode: '5701573022',
    name: 'Công ty TNHH Nông sản sạch Đông Triều',
    englishName: 'Dong Trieu Clean Produce Company Limited',
    type: LLC_MANY,
    status: 'active',
    registeredAddress: 'Tổ 3, khu Vĩnh Xuân, phường Mạo Khê, thị xã Đông Triều, tỉnh Quảng Ninh',
    legalRepresentative: { fullName: 'Đặng Quốc Bảo', position: 'Giám đốc' },
    registrationDate: '2017-04-25',
  },
];
