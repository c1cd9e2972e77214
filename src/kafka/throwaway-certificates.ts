/**
 * Throwaway certificates for TLS on 127.0.0.1 (the secured local broker, and tests): a CA, a
 * server certificate it signed (subjectAltName 127.0.0.1 and localhost) and a client certificate
 * it signed (for mutual TLS), made with the openssl CLI in a temporary directory that is removed
 * before this resolves. EC P-256 keys in PKCS#8 PEM (what Kafka's PEM keystores read, KIP-651):
 * quick to make, never worth keeping. Takes a few tens of milliseconds.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM texts. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface ThrowawayCertificates {
  /** The CA that signed `server` and `client`: what a client trusts, what a server requires of clients. */
  readonly ca: string;
  readonly server: KeyPair;
  readonly client: KeyPair;
}

export interface ThrowawayCertificateOptions {
  /** Validity in days; default 1. */
  readonly days?: number;
  /** Subject of the client certificate; default `/CN=lgsp-hub`. */
  readonly clientSubject?: string;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Makes a fresh CA, server and client certificate. Rejects with openssl's stderr when it fails. */
export async function makeThrowawayCertificates(options: ThrowawayCertificateOptions = {}): Promise<ThrowawayCertificates> {
  const days = String(options.days ?? 1);
  const dir = await mkdtemp(join(tmpdir(), 'lgsp-tls-'));
  const file = (name: string) => join(dir, name);
  try {
    await openssl([
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.crt'),
      '-days',
      days,
      '-subj',
      '/CN=lgsp-hub throwaway CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const sign = (name: string, subject: string, extensions: string) => signed(file, name, subject, extensions, days);
    const server = await sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    const client = await sign('client', options.clientSubject ?? '/CN=lgsp-hub', 'extendedKeyUsage=clientAuth\n');
    return { ca: await readFile(file('ca.crt'), 'utf8'), server, client };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function signed(file: (name: string) => string, name: string, subject: string, extensions: string, days: string): Promise<KeyPair> {
  await writeFile(file(`${name}.ext`), extensions);
  await openssl(['req', ...KEY, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject]);
  await openssl([
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file(`${name}.crt`),
    '-days',
    days,
    '-extfile',
    file(`${name}.ext`),
  ]);
  return { cert: await readFile(file(`${name}.crt`), 'utf8'), key: await readFile(file(`${name}.key`), 'utf8') };
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run('openssl', [...args], { timeout: 30_000 });
  } catch (err) {
    throw new Error(`openssl ${args[0]} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, { cause: err });
  }
}
