/** Timeouts on promises, with AbortSignal.timeout: no timer of ours to clear or to leak. */
import { ReramError } from '../shared/errors';

/** The promise's outcome, or a TIMEOUT error once `ms` have passed, whichever comes first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      signal.addEventListener(
        'abort',
        () => reject(new ReramError('TIMEOUT', `${what} did not finish within ${Math.round(ms)} ms.`)),
        { once: true },
      ),
    ),
  ]);
}
