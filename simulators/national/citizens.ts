/**
 * The citizens of the simulated population database ("Cơ sở dữ liệu quốc gia về dân cư"), written
 * by hand: 20 people in 8 households of Quảng Ninh, the demo province. Names, addresses and numbers
 * are illustrative; each personal identification number ("số định danh cá nhân") follows the
 * structure of Decree 137/2015/NĐ-CP art. 13 and Circular 59/2021/TT-BCA (docs/simulators.md):
 * the province code of the birth registration (022 Quảng Ninh; 001 Hà Nội, 030 Hải Dương,
 * 031 Hải Phòng, 034 Thái Bình, 036 Nam Định), one digit for century and gender (0/1 a man/woman
 * born 1900-1999, 2/3 born 2000-2099), the last two digits of the year of birth, six random digits.
 * Addresses use the three levels in force before July 2025, as the demo directory does.
 */

export type Gender = 'male' | 'female';

export interface Citizen {
  /** 12 digits. */
  readonly personalId: string;
  /** As registered, Unicode NFC. */
  readonly fullName: string;
  /** YYYY-MM-DD. */
  readonly dateOfBirth: string;
  /** Giới tính: Nam (male) or Nữ (female). */
  readonly gender: Gender;
  /** Nơi thường trú: the household's address. */
  readonly household: string;
  /** Quan hệ với chủ hộ: "Chủ hộ" for the head of the household. */
  readonly relationToHead: string;
}

export interface Household {
  /** An illustrative household code. */
  readonly code: string;
  /** Nơi thường trú of every member. */
  readonly address: string;
}

export const HOUSEHOLDS: readonly Household[] = [
  { code: 'HGD-22-000101', address: 'Tổ 2, khu 4, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000102', address: 'Số 18 đường Hạ Long, tổ 5, khu 1, phường Bãi Cháy, thành phố Hạ Long, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000203', address: 'Số 7 phố Bến Đoan, tổ 1, khu 3, phường Hồng Gai, thành phố Hạ Long, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000304', address: 'Thôn Đoài, xã Quan Lạn, huyện Vân Đồn, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000405', address: 'Tổ 6, khu Minh Tiến A, phường Cẩm Bình, thành phố Cẩm Phả, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000506', address: 'Tổ 12, khu 6, phường Quang Trung, thành phố Uông Bí, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000607', address: 'Số 25 phố Hữu Nghị, phường Trần Phú, thành phố Móng Cái, tỉnh Quảng Ninh' },
  { code: 'HGD-22-000308', address: 'Khu 5, thị trấn Cái Rồng, huyện Vân Đồn, tỉnh Quảng Ninh' },
];

export const CITIZENS: readonly Citizen[] = [
  // phường Bãi Cháy
  { personalId: '022078004512', fullName: 'Trần Văn Đức', dateOfBirth: '1978-03-14', gender: 'male', household: 'HGD-22-000101', relationToHead: 'Chủ hộ' },
  {
    personalId: '034181007723',
    fullName: 'Nguyễn Thị Hồng Nhung',
    dateOfBirth: '1981-11-02',
    gender: 'female',
    household: 'HGD-22-000101',
    relationToHead: 'Vợ',
  },
  { personalId: '022206001938', fullName: 'Trần Minh Khôi', dateOfBirth: '2006-07-25', gender: 'male', household: 'HGD-22-000101', relationToHead: 'Con' },
  { personalId: '022312005214', fullName: 'Trần Ngọc Hân', dateOfBirth: '2012-01-09', gender: 'female', household: 'HGD-22-000101', relationToHead: 'Con' },
  // The demo's applicant (demo/messages.ts, Dossier.applicant).
  { personalId: '022190001234', fullName: 'Phạm Thị Lan', dateOfBirth: '1990-05-17', gender: 'female', household: 'HGD-22-000102', relationToHead: 'Chủ hộ' },
  { personalId: '031087006645', fullName: 'Đặng Quốc Bảo', dateOfBirth: '1987-09-30', gender: 'male', household: 'HGD-22-000102', relationToHead: 'Chồng' },
  { personalId: '022316002871', fullName: 'Đặng Bảo Anh', dateOfBirth: '2016-04-12', gender: 'female', household: 'HGD-22-000102', relationToHead: 'Con' },
  // phường Hồng Gai
  { personalId: '022065001476', fullName: 'Lê Văn Thắng', dateOfBirth: '1965-06-11', gender: 'male', household: 'HGD-22-000203', relationToHead: 'Chủ hộ' },
  { personalId: '022168003390', fullName: 'Vũ Thị Thu Hà', dateOfBirth: '1968-12-21', gender: 'female', household: 'HGD-22-000203', relationToHead: 'Vợ' },
  { personalId: '022093008127', fullName: 'Lê Hoàng Long', dateOfBirth: '1993-02-05', gender: 'male', household: 'HGD-22-000203', relationToHead: 'Con' },
  // xã Quan Lạn
  { personalId: '022055000362', fullName: 'Hoàng Văn Sáu', dateOfBirth: '1955-08-19', gender: 'male', household: 'HGD-22-000304', relationToHead: 'Chủ hộ' },
  { personalId: '022158000917', fullName: 'Đỗ Thị Mến', dateOfBirth: '1958-10-03', gender: 'female', household: 'HGD-22-000304', relationToHead: 'Vợ' },
  { personalId: '022185004058', fullName: 'Hoàng Thị Thủy', dateOfBirth: '1985-01-27', gender: 'female', household: 'HGD-22-000304', relationToHead: 'Con' },
  // Cẩm Phả, Uông Bí, Móng Cái
  { personalId: '022075009284', fullName: 'Bùi Xuân Trường', dateOfBirth: '1975-04-30', gender: 'male', household: 'HGD-22-000405', relationToHead: 'Chủ hộ' },
  { personalId: '030179002215', fullName: 'Ngô Thị Ánh Tuyết', dateOfBirth: '1979-09-09', gender: 'female', household: 'HGD-22-000405', relationToHead: 'Vợ' },
  { personalId: '022199006603', fullName: 'Đinh Thị Yến', dateOfBirth: '1999-12-31', gender: 'female', household: 'HGD-22-000506', relationToHead: 'Chủ hộ' },
  {
    personalId: '036196001288',
    fullName: 'Đinh Thị Minh Nguyệt',
    dateOfBirth: '1996-06-06',
    gender: 'female',
    household: 'HGD-22-000506',
    relationToHead: 'Em',
  },
  { personalId: '022201003170', fullName: 'Lương Đức Anh', dateOfBirth: '2001-03-08', gender: 'male', household: 'HGD-22-000607', relationToHead: 'Chủ hộ' },
  // thị trấn Cái Rồng, Vân Đồn
  { personalId: '001048000551', fullName: 'Trịnh Đình Khải', dateOfBirth: '1948-02-17', gender: 'male', household: 'HGD-22-000308', relationToHead: 'Chủ hộ' },
  { personalId: '022152000813', fullName: 'Nguyễn Thị Nhàn', dateOfBirth: '1952-07-07', gender: 'female', household: 'HGD-22-000308', relationToHead: 'Vợ' },
];
