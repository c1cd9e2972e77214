/**
 * Throwaway certificates for tests that need TLS on 127.0.0.1: a CA, a server certificate it signed
 * (subjectAltName 127.0.0.1 and localhost) and a client certificate it signed (for mutual TLS).
 * The secured local broker makes its own with the same code (`src/kafka/throwaway-certificates.ts`).
 * Call it once per test file (`beforeAll`); it takes a few tens of milliseconds.
 */
import { makeThrowawayCertificates, type KeyPair, type ThrowawayCertificates } from '../../src/kafka/throwaway-certificates.ts';

export type { KeyPair };
export type TestCertificates = ThrowawayCertificates;

/** Makes a fresh CA, server and client certificate. Rejects with openssl's stderr when it fails. */
export function makeTestCertificates(): Promise<TestCertificates> {
  return makeThrowawayCertificates();
}
