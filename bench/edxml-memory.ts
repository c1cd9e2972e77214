/**
 * Peak memory of decoding large edXML packages (docs/edxml.md, "Large packages"). For each size
 * (1, 5 and 20 MiB of file), a fresh child process reads the package from disk (the inbound
 * route's body is one Buffer like this), then decodes it (`decodeEdxml`: parse, base64, SHA-256,
 * layout) and serialises the event as the hub does before producing it (`JSON.stringify`).
 * Reported: the package size, resident memory (RSS) before decoding, the process's peak RSS
 * (`process.resourceUsage().maxRSS`) after each step, and the peak's growth over the RSS before,
 * as a multiple of the package's size (the package's own bytes are already in "before"). Run: `node --expose-gc bench/edxml-memory.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEdxml } from '../connectors/edxml/codec.ts';
import { largeContent } from '../test/corpus/edxml/large-package.ts';

const MiB = 1024 * 1024;

function packageOf(fileBytes: number): Buffer {
  const template = readFileSync(new URL('../test/corpus/edxml/15-large-attachment.template.xml', import.meta.url), 'utf8');
  const [before, after] = template.split('{{BASE64}}');
  const base64 = largeContent(fileBytes).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.concat([Buffer.from(before!, 'utf8'), Buffer.from(base64, 'latin1'), Buffer.from(after!, 'utf8')]);
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const mb = (bytes: number) => (bytes / MiB).toFixed(1);

if (process.argv[2] === '--child') {
  const file = process.argv[3]!;
  const body = readFileSync(file);
  gc();
  const before = process.memoryUsage().rss;
  const [event] = decodeEdxml(body);
  const afterDecode = process.resourceUsage().maxRSS * 1024;
  const json = JSON.stringify(event);
  const afterSerialise = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ packageBytes: body.length, eventBytes: json.length, before, afterDecode, afterSerialise }));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'edxml-memory-'));
  const rows: string[] = [
    '| file | package | RSS before | peak RSS, decode | peak RSS, + serialise | growth: decode | growth: + serialise |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  try {
    for (const size of [1, 5, 20]) {
      const file = join(dir, `package-${size}.xml`);
      writeFileSync(file, packageOf(size * MiB));
      const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', file], {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024,
      });
      const r = JSON.parse(out) as { packageBytes: number; before: number; afterDecode: number; afterSerialise: number };
      const growth = (peak: number) => `${((peak - r.before) / r.packageBytes).toFixed(1)}× (${mb(peak - r.before)} MiB)`;
      rows.push(
        `| ${size} MiB | ${mb(r.packageBytes)} MiB | ${mb(r.before)} MiB | ${mb(r.afterDecode)} MiB | ${mb(r.afterSerialise)} MiB | ${growth(r.afterDecode)} | ${growth(r.afterSerialise)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Node ${process.version}, ${process.platform}/${process.arch}`);
  console.log(rows.join('\n'));
}
