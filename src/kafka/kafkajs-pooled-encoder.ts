/**
 * kafkajs 2.2.4 encodes every request through `Encoder` objects, and makes one for each part of
 * each record: the record, its key, its value, each of its headers. Each starts with
 * `Buffer.alloc(512)`: a zero-filled buffer with a memory block of its own, which V8 must create,
 * account for and later free. A hub record has about twenty headers, so about 45 such buffers,
 * and the hub writes four or five records a message: measured alone (`npm run bench:encoder`),
 * encoding a produce request of records like the hub's cost 100-211 µs a record with kafkajs as
 * it is, 37-49 µs with this patch.
 *
 * Imported (for its effect, once per process) by the module that makes the hub's kafkajs clients:
 * an encoder now starts empty, and grows by `Buffer.allocUnsafe`, which hands out slices of
 * Node's shared 8 KB pool for small sizes. Unset bytes are never sent: kafkajs writes every byte
 * it advances over, in order, and sends the buffer only up to its offset.
 */
import { createRequire } from 'node:module';

interface EncoderInternals {
  buf: Buffer;
  offset: number;
}

interface EncoderClass {
  nextPowerOfTwo(value: number): number;
  prototype: EncoderInternals & { ensureAvailable(length: number): void };
}

/** An encoder's first buffer: what kafkajs starts with, now taken when the first byte is written. */
const FIRST_SIZE = 512;

const Encoder = createRequire(import.meta.url)('kafkajs/src/protocol/encoder.js') as EncoderClass;
/** kafkajs's `nextPowerOfTwo`, kept here: patching twice (a second load of this module) must not bind the patched one. */
const powerOfTwoAbove = (value: number) => 1 << (32 - Math.clz32(value));

// The constructor's only hook: it calls `Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))`, and
// nothing else calls it once `ensureAvailable` below no longer does. A zero-length buffer is kept
// on V8's heap, with no memory block of its own.
Encoder.nextPowerOfTwo = () => 0;

Encoder.prototype.ensureAvailable = function ensureAvailable(this: EncoderInternals, length: number): void {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(Math.max(FIRST_SIZE, powerOfTwoAbove(this.offset + length)));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
};
