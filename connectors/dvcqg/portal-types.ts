/**
 * The portal's own shapes (domain/dvcqg.md), field names as the portal spells them. Outbound every
 * field is present, empty string or empty list when unknown (public clients send them all, even
 * those they mark "ko bb", not mandatory). Codes travel as strings (`"1"`, `"10"`); the inbound
 * decoder also accepts numbers. Dates are `yyyyMMddHHmmss`, Asia/Ho_Chi_Minh time, or "".
 */

/** The lists of a dossier; their items are carried as the one-stop system wrote them (not modelled). */
export type PortalList = unknown[];

/** One dossier of `DongBoHoSoMC` `data[]`, as the hub sends it: every field, in the facts file's order. */
export interface HoSoMC {
  MaHoSo: string;
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  SoBienNhan: string;
  ChuHoSo: string;
  /** "1" citizen, "2" business. */
  LoaiDoiTuong: string;
  MaDoiTuong: string;
  /** Contact details: the canonical message deliberately does not carry them, so always "". */
  Email: string;
  SoDienThoai: string;
  Fax: string;
  TrichYeuHoSo: string;
  NgayTiepNhan: string;
  NgayHenTra: string;
  /** The portal's status code, through the connector's status table (`status.ts`). */
  TrangThaiHoSo: string;
  NgayTra: string;
  HinhThuc: string;
  NgayKetThucXuLy: string;
  DonViXuLy: string;
  GhiChu: string;
  /** Sent by public clients though the facts file does not list them (docs/dvcqg.md). */
  ThongTinKhac: string;
  ThongTinTra: string;
  TaiLieuNop: PortalList;
  DanhSachLePhi: PortalList;
  DanhSachTepDinhKemKhac: PortalList;
  DanhSachHoSoBoSung: PortalList;
  DanhSachGiayToKetQua: PortalList;
}

/** `isUpdating` as public clients write it: the strings "True"/"False", some a boolean. */
export type IsUpdating = 'True' | 'False' | boolean;

/** The `DongBoHoSoMC` call without `session` and `madonvi` (the client adds them). */
export interface DongBoHoSoMCRequest {
  service: 'DongBoHoSoMC';
  /** "False" for a dossier the portal does not hold yet (a TraCuuHoSo lookup tells), "True" after. */
  isUpdating: IsUpdating;
  data: HoSoMC[];
}

/** One processing step of `CapNhatTienDoHoSoMC` `data[]`: every field, "" when unknown. */
export interface TienDoHoSoMC {
  MaHoSo: string;
  NguoiXuLy: string;
  ChucDanh: string;
  ThoiDiemXuLy: string;
  PhongBanXuLy: string;
  NoiDungXuLy: string;
  /** The portal's status code (same table as TrangThaiHoSo), never a name. */
  TrangThai: string;
  NgayBatDau: string;
  NgayKetThucTheoQuyDinh: string;
}

/** The `CapNhatTienDoHoSoMC` call without `session` and `madonvi`. */
export interface CapNhatTienDoRequest {
  service: 'CapNhatTienDoHoSoMC';
  data: TienDoHoSoMC[];
}

/** `TraCuuHoSo`: does the portal hold this dossier? (field spelled `mahoso`, as public clients do). */
export interface TraCuuHoSoRequest {
  service: 'TraCuuHoSo';
  mahoso: string;
}

/** `LayThuTuc`: a procedure of the national catalogue by its code (field spelled `maTTHC`). */
export interface LayThuTucRequest {
  service: 'LayThuTuc';
  maTTHC: string;
}

export type IntegrationRequest = DongBoHoSoMCRequest | CapNhatTienDoRequest | TraCuuHoSoRequest | LayThuTucRequest;

/** A procedure in a LayThuTuc `result[]` (upper-case names, as the portal's catalogue answers). */
export interface ThuTuc {
  MATTHC: string;
  TENTTHC: string;
  LINHVUCTHUCHIEN: { MALINHVUC: string; TENLINHVUC: string }[];
}

/** What the portal answers (HTTP 200 in every business case); `error_code` is a number or a string. */
export interface PortalAnswer {
  error_code: number | string;
  message?: string;
  session?: string;
  result?: unknown[];
}
