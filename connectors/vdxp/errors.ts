/**
 * Errors of the vdxp poller: a closed list of codes on the hub's error base. A poll round that the
 * axis does not serve ends with a `VdxpCallError`; the next round tries again.
 */
import { LgspError } from '../../src/contract/errors.ts';
import type { Failure } from '../kit/classify.ts';

export const VDXP_ERROR_CODES = [
  /** An axis call (listing, fetching, acknowledging) was answered with a failure; `answer` says which. */
  'vdxp-call-failed',
] as const;

export type VdxpErrorCode = (typeof VDXP_ERROR_CODES)[number];

/** Thrown inside a round when the axis does not give what was asked; retriable when the answer was a `retry`. */
export class VdxpCallError extends LgspError<VdxpErrorCode> {
  readonly call: string;
  readonly answer: Failure;

  constructor(call: string, answer: Failure) {
    super('vdxp-call-failed', `VDXP ${call}: ${answer.outcome} (${answer.reason})`, { retriable: answer.outcome === 'retry' });
    this.call = call;
    this.answer = answer;
  }
}
