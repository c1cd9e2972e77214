/**
 * The 20 MB package of the corpus, generated at test time (20 MB are not committed): the
 * hand-written `15-large-attachment.template.xml` with `{{BASE64}}` replaced by the base64 of 20 MiB
 * of deterministic bytes, wrapped at 76 characters as MIME senders write it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export const LARGE_SIZE = 20 * 1024 * 1024;

/** 20 MiB of bytes that are the same on every run (SHA-256 counter blocks). */
export function largeContent(size = LARGE_SIZE): Buffer {
  const out = Buffer.alloc(size);
  for (let offset = 0, i = 0; offset < size; offset += 32, i += 1) createHash('sha256').update(`lgsp-corpus-${i}`).digest().copy(out, offset);
  return out;
}

let cached: Buffer | undefined;

export const largePackage = {
  name: '15-large-attachment.template.xml',
  async bytes(): Promise<Buffer> {
    if (cached) return cached;
    const template = await readFile(new URL('./15-large-attachment.template.xml', import.meta.url), 'utf8');
    const base64 = largeContent().toString('base64').replace(/.{76}/g, '$&\r\n');
    const [before, after, ...more] = template.split('{{BASE64}}');
    if (after === undefined || more.length > 0) throw new Error('the template must hold {{BASE64}} exactly once');
    cached = Buffer.concat([Buffer.from(before!, 'utf8'), Buffer.from(base64, 'latin1'), Buffer.from(after!, 'utf8')]);
    return cached;
  },
};
