/**
 * `npm run demo -- --once` end to end: the demo as a child process against the test broker
 * (KAFKA_BROKERS), on a free port; it must play the whole script and exit 0.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../src/kafka/local-broker.ts';
import { testBrokers } from '../helpers/kafka.ts';

const TIMEOUT_MS = 120_000;

function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['demo/main.ts', '--once'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run demo -- --once', () => {
  it('plays the whole script against a broker and exits 0', { timeout: TIMEOUT_MS + 30_000 }, async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runDemo({ KAFKA_BROKERS: testBrokers().join(','), PORT: String(port), LGSP_PARTITIONS: '3' });
    const lines = stdout.split('\n');
    const has = (...parts: string[]) => lines.some((line) => parts.every((p) => line.includes(p)));
    expect(code, `exit code; stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);

    // 0. The Government Office's letter through the national axis.
    expect(has('fetched', 'acknowledged it (updateStatus done')).toBe(true);
    expect(has('delivered', 'vn.gov.document.sent', 'Văn phòng Chính phủ → UBND tỉnh Quảng Ninh (e-office)')).toBe(true);
    // 1. The directive at every commune, and each commune's 03 back at the province.
    for (const commune of ['UBND phường Bãi Cháy', 'UBND phường Hồng Gai', 'UBND xã Quan Lạn']) {
      expect(has('delivered', 'vn.gov.document.sent', `UBND tỉnh Quảng Ninh → ${commune} (e-office)`, '12/CT-UBND'), commune).toBe(true);
      expect(has('delivered', 'vn.gov.document.status', `${commune} → UBND tỉnh Quảng Ninh (e-office)`, '03 Đã tiếp nhận', '12/CT-UBND'), commune).toBe(true);
    }
    expect(has('6 recipients: 6 delivered, 3 received; 3 unreachable')).toBe(true);
    // 2. Before accepting the dossier, the one-stop-shop checks the applicant against the population database through the hub; the call is in its log.
    expect(has('registered', 'csdlqg-dan-cu', 'webhook', 'Cơ sở dữ liệu quốc gia về dân cư')).toBe(true);
    expect(has('granted', 'qn-baichay-motcua may call population-lookup for dossier-intake')).toBe(true);
    const called = lines.findIndex((l) => l.includes('called') && l.includes('POST citizens:verify') && l.includes('→ Cơ sở dữ liệu quốc gia về dân cư'));
    const firstStatus = lines.findIndex((l) => l.includes('sent') && l.includes('vn.gov.dossier.status') && l.includes('TrangThaiHoSo 1 ('));
    expect(called, 'the verification call').toBeGreaterThan(-1);
    expect(called, 'verified before the dossier is registered').toBeLessThan(firstStatus);
    expect(lines[called]).toContain('match (name match, date of birth match)');
    const callId = /X-LGSP-Call-Id (\S+)/.exec(lines[called] ?? '')?.[1] ?? 'none';
    const logged = ['qn-baichay-motcua (000.01.05.H49)', 'officer CB-BC-0007', 'purpose dossier-intake', 'citizens:verify → 200 answered'];
    expect(has('call log', callId, ...logged)).toBe(true);
    expect(has('✓', 'Phạm Thị Lan confirmed, living at Số 18 đường Hạ Long')).toBe(true);
    // 2. The dossier: liên thông to the city, every status at the national portal.
    expect(has('delivered', 'vn.gov.dossier.transferred', 'UBND phường Bãi Cháy → UBND thành phố Hạ Long (one-stop-shop)')).toBe(true);
    for (const status of [1, 2, 4, 9, 10]) expect(has('stored', 'DongBoHoSoMC', `TrangThaiHoSo ${status} (`), `status ${status}`).toBe(true);
    expect(has('the national portal holds MaHoSo', 'TrangThaiHoSo 1 → 2 → 4 → 9 → 10')).toBe(true);
    // 3. The outage: breaker open, then closed, and the dispatch delivered late.
    expect(has('down', 'UBND xã Quan Lạn (e-office) stops answering')).toBe(true);
    const opened = lines.findIndex((l) => l.includes('breaker') && l.includes('qn-quanlan-eoffice') && l.includes('→ open'));
    const closed = lines.findIndex((l) => l.includes('breaker') && l.includes('qn-quanlan-eoffice') && l.includes('→ closed'));
    expect(opened).toBeGreaterThan(-1);
    expect(closed).toBeGreaterThan(opened);
    expect(has('delivered', 'UBND tỉnh Quảng Ninh → UBND xã Quan Lạn (e-office)', '03/CĐ-UBND')).toBe(true);
    expect(has('UBND xã Quan Lạn caught up')).toBe(true);
    // The ending: traces and where to look.
    expect(has('Công điện 03/CĐ-UBND', '3 recipients: 3 delivered, 3 received')).toBe(true);
    expect(has('metrics', `http://127.0.0.1:${port}/metrics`)).toBe(true);
    expect(has('console', `http://127.0.0.1:${port}/console`)).toBe(true);
    expect(has('--once: every step happened')).toBe(true);
  });
});
