/**
 * The CPU cost of the hub's signature per accepted message (docs/performance.md, "The hub's
 * signature"): for the schemas' example document and the same with 64 KiB of data, in one run,
 * the microseconds per message of (a) the baseline, a plain SHA-256 of the data bytes as the hub
 * holds them (`JSON.stringify`, UTF-8); (b) the claims (`claimsOf`: the same hash plus the
 * attributes); (c) the whole signature (`claimsOf` then an EdDSA compact JWS, as `HubKeys.sign`
 * does), awaited one at a time, and (d) the same 100 at a time (a batch, as the intake signs it).
 * Each figure is the median of 7 rounds of `ROUNDS` messages after a warm-up. Run: `node bench/jws-sign.ts`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateKeyPair } from 'jose';
import type { CloudEvent } from '../src/contract/cloud-event.ts';
import { claimsOf, signClaims, type HubSigningKey } from '../src/contract/hub-signature.ts';
import { dataBytes, type AcceptedMessage } from '../src/contract/kafka-binding.ts';

const ROUNDS = 2_000;
const BATCH = 100;

const example = JSON.parse(
  readFileSync(new URL('../schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json', import.meta.url), 'utf8'),
) as CloudEvent;
const accepted = (event: CloudEvent): AcceptedMessage => ({
  event,
  hubId: '0f1e2d3c-4b5a-8968-8776-a5b4c3d2e1f0',
  connector: 'qn-stp-eoffice',
  acceptedAt: new Date().toISOString(),
});
const large = { ...example, data: { ...(example.data as object), note: 'x'.repeat(64 * 1024) } } as CloudEvent;

async function microsPerMessage(run: () => Promise<void> | void, perCall = 1): Promise<number> {
  const calls = ROUNDS / perCall;
  for (let i = 0; i < calls / 4; i++) await run(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await run();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / ROUNDS);
  }
  return rounds.sort((a, b) => a - b)[3]!;
}

const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
const signing: HubSigningKey = { kid: 'bench', key: privateKey };
console.log(`node ${process.version}, ${ROUNDS} messages per round, median of 7 rounds, µs per message`);
console.log('| message | data bytes | baseline: SHA-256 of data | claims | sign, one at a time | sign, 100 at a time |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const [name, event] of [
  ['example document', example],
  ['with 64 KiB of data', large],
] as const) {
  const message = accepted(event);
  const baseline = await microsPerMessage(() => void createHash('sha256').update(dataBytes(event.data)).digest('hex'));
  const claims = await microsPerMessage(() => void claimsOf(message));
  const one = await microsPerMessage(async () => void (await signClaims(claimsOf(message), signing)));
  const batch = await microsPerMessage(
    async () => void (await Promise.all(Array.from({ length: BATCH }, () => signClaims(claimsOf(message), signing)))),
    BATCH,
  );
  const f = (n: number) => n.toFixed(1);
  console.log(`| ${name} | ${dataBytes(event.data).length} | ${f(baseline)} | ${f(claims)} | ${f(one)} | ${f(batch)} |`);
}
