/**
 * `npm run bench:encoder`: what kafkajs's encoder costs the hub, and what the pooled encoder
 * (`src/kafka/kafkajs-pooled-encoder.ts`) saves. Encodes produce requests of records shaped like a
 * hub delivery record (the example document's CloudEvent as the value, twenty headers), as kafkajs
 * ships and then with the patch, in one process: CPU µs a record (user + system) for requests of
 * 1, 5 and 100 records. No broker: this is the encoding alone.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const RECORDS_PER_ROUND = 20_000;
const ROUNDS = 3;
const SIZES = [1, 5, 100];

const produceRequest = createRequire(import.meta.url)('kafkajs/src/protocol/requests/produce/v3/request.js') as (request: Record<string, unknown>) => {
  encode(): Promise<unknown>;
};
const value = readFileSync('schemas/messages/examples/vn.gov.document.sent.v1/valid-cong-van-bao-cao.json');
const headers = Object.fromEntries(Array.from({ length: 20 }, (_, h) => [`lgsp_header_${h}`, Buffer.from(`a header value of some 40 bytes, no. ${h}`)]));

async function cpuUsPerRecord(size: number): Promise<number> {
  const messages = Array.from({ length: size }, (_, i) => ({ key: `000.00.05.H49\ndoc-${i}`, value, headers, timestamp: Date.now() }));
  const topicData = [{ topic: 'lgsp.deliveries', partitions: [{ partition: 0, firstSequence: 0, messages }] }];
  const best: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < RECORDS_PER_ROUND / size; i++) {
      await produceRequest({ acks: -1, timeout: 30_000, compression: 0, producerId: 1, producerEpoch: 0, topicData }).encode();
    }
    const used = process.cpuUsage(before);
    best.push((used.user + used.system) / RECORDS_PER_ROUND);
  }
  // The first round warms the JIT up; the best of the others.
  return Math.min(...best.slice(1));
}

async function measure(): Promise<Map<number, number>> {
  const figures = new Map<number, number>();
  for (const size of SIZES) figures.set(size, await cpuUsPerRecord(size));
  return figures;
}
const asShipped = await measure();
await import('../src/kafka/kafkajs-pooled-encoder.ts');
const pooled = await measure();

console.log(`kafkajs produce request encoding, ${value.length}-byte value and 20 headers a record: CPU µs a record (best of ${ROUNDS - 1} rounds)`);
console.log(`${'records a request'.padEnd(18)} ${'as shipped'.padStart(11)} ${'pooled'.padStart(8)} ${'saved'.padStart(7)}`);
for (const size of SIZES) {
  const [a, b] = [asShipped.get(size)!, pooled.get(size)!];
  console.log(`${String(size).padEnd(18)} ${a.toFixed(1).padStart(11)} ${b.toFixed(1).padStart(8)} ${`${Math.round((100 * (a - b)) / a)} %`.padStart(7)}`);
}
