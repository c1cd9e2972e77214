/**
 * The portal's own shapes (domain/dvcqg.md), field names as the portal spells them. Codes travel
 * as strings (`"1"`, `"10"`), as the Java integrations write them; the inbound decoder also accepts
 * numbers. Dates are `yyyyMMddHHmmss`, Asia/Ho_Chi_Minh time.
 */

/** One dossier of `DongBoHoSoMC` `data[]`. Optional fields are left out when unknown. */
export interface HoSoMC {
  MaHoSo: string;
  MaTTHC: string;
  TenTTHC?: string;
  MaLinhVuc?: string;
  TenLinhVuc?: string;
  SoBienNhan?: string;
  ChuHoSo: string;
  /** "1" citizen, "2" business. */
  LoaiDoiTuong: string;
  MaDoiTuong?: string;
  TrichYeuHoSo?: string;
  NgayTiepNhan: string;
  NgayHenTra?: string;
  /** "1".."10", see `status.ts`. */
  TrangThaiHoSo: string;
  NgayTra?: string;
  NgayKetThucXuLy?: string;
  DonViXuLy?: string;
  GhiChu?: string;
}

/** The `DongBoHoSoMC` call without `session` (the client adds it). */
export interface DongBoHoSoMCRequest {
  madonvi: string;
  service: 'DongBoHoSoMC';
  /** true: the dossiers may already exist at the portal and are updated (an upsert). */
  isUpdating: boolean;
  data: HoSoMC[];
}

/** One processing step of `CapNhatTienDoHoSoMC` `data[]`. */
export interface TienDoHoSoMC {
  MaHoSo: string;
  NguoiXuLy: string;
  ChucDanh?: string;
  ThoiDiemXuLy: string;
  PhongBanXuLy?: string;
  NoiDungXuLy?: string;
  TrangThai: string;
  NgayBatDau: string;
  NgayKetThucTheoQuyDinh?: string;
}

/** The `CapNhatTienDoHoSoMC` call without `session` and `madonvi` (the client adds them). */
export interface CapNhatTienDoRequest {
  service: 'CapNhatTienDoHoSoMC';
  data: TienDoHoSoMC[];
}

/** What both portal endpoints answer (HTTP 200 in every business case). */
export interface PortalAnswer {
  error_code: number;
  message?: string;
  session?: string;
}
