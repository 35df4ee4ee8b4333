/**
 * The rounds of a fixed chip count run ahead (no wait at each round's end), yet every evaluator
 * gets the calls it got round by round, rounds come out in order, and a failure stops cleanly.
 * The evaluators here stand in for a pool's workers: each records its calls and answers with the
 * outcome shape a LocalEvaluator gives (one accuracy per configuration it ran).
 */
import { describe, expect, it } from 'vitest';
import type { ChipEvaluator, ChipOutcome, EvaluateHooks } from '../../src/shared/rca/evaluator';
import type { Configuration } from '../../src/shared/rca/job';
import { runRound, runRoundsAhead, type RoundProgress } from '../../src/shared/rca/schedule';

const configs: Configuration[] = [
  { method: 'linear', bits: 3 },
  { method: 'mes', bits: 3 },
];
const assignment = [[0], [1]];

interface Call {
  chips: number[];
  configs: number[] | undefined;
}

/** An evaluator that records its calls; `gate(call)` may hold a call until a promise settles. */
function recorder(gate: (call: number, chips: readonly number[]) => Promise<void> = async () => {}) {
  const calls: Call[] = [];
  const events: string[] = [];
  const evaluator: ChipEvaluator = {
    async evaluate(chips: readonly number[], hooks: EvaluateHooks = {}): Promise<ChipOutcome[]> {
      const call = calls.length;
      calls.push({ chips: [...chips], configs: hooks.configs ? [...hooks.configs] : undefined });
      events.push(`start ${call}`);
      await gate(call, chips);
      const mine = hooks.configs ?? configs.map((_, i) => i);
      hooks.onProgress?.(chips.length * mine.length, 'done');
      events.push(`end ${call}`);
      return chips.map((chip) => ({
        chip,
        accuracies: configs.map((_, i) => (mine.includes(i) ? (chip % 7) / 10 + i / 100 : null)),
        correct: configs.map((_, i) => (mine.includes(i) ? Uint8Array.of(chip % 2) : null)),
      }));
    },
    async release() {},
  };
  return { evaluator, calls, events };
}

const quietTally = (): RoundProgress & { done(): number } => {
  const finished = [0, 0];
  const inFlight = [0, 0];
  return {
    progress: (k) => (evaluations) => {
      inFlight[k] = evaluations;
    },
    settled: (k) => {
      finished[k]! += inFlight[k]!;
      inFlight[k] = 0;
    },
    done: () => finished[0]! + finished[1]!,
  };
};

const rounds = [
  [0, 1, 2, 3],
  [4, 5, 6, 7],
  [8, 9],
];

describe('rounds of a fixed chip count', () => {
  it('an evaluator goes on to its next round while another is still in this one; rounds come out in order', async () => {
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const slow = recorder((call) => (call === 0 ? firstHeld : Promise.resolve()));
    const fast = recorder(async (call) => {
      // The fast one reaches its last round while the slow one still holds its first.
      if (call === 2) releaseFirst();
    });
    const taken: number[][] = [];
    const tally = quietTally();
    await runRoundsAhead(
      [slow.evaluator, fast.evaluator],
      rounds,
      assignment,
      configs,
      undefined,
      tally,
      (o) => taken.push(o.map((x) => x.chip)),
    );
    expect(fast.events.slice(0, 5)).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2']);
    expect(slow.events[0]).toBe('start 0');
    expect(slow.events.indexOf('end 0')).toBeGreaterThan(0);
    expect(taken).toEqual(rounds);
    // Every chip of every round on both configurations, counted once.
    expect(tally.done()).toBe(10 * 2);
  });

  it('each evaluator gets the calls, in the order, that round-by-round scheduling gives it', async () => {
    for (const split of [assignment, null]) {
      const ahead = [recorder(), recorder()];
      const stepwise = [recorder(), recorder()];
      const aheadOut: ChipOutcome[] = [];
      await runRoundsAhead(
        ahead.map((r) => r.evaluator),
        rounds,
        split,
        configs,
        undefined,
        quietTally(),
        (o) => aheadOut.push(...o),
      );
      const stepwiseOut: ChipOutcome[] = [];
      for (const round of rounds)
        stepwiseOut.push(
          ...(await runRound(
            stepwise.map((r) => r.evaluator),
            round,
            split,
            configs,
            undefined,
            quietTally(),
          )),
        );
      expect(ahead.map((r) => r.calls)).toEqual(stepwise.map((r) => r.calls));
      expect(aheadOut).toEqual(stepwiseOut);
    }
  });

  it('a failure starts no further part, waits for the parts under way, and leaves nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let slowEnded = false;
      const slow = recorder(async (call) => {
        if (call === 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          slowEnded = true;
        }
      });
      const failing = recorder(async (call) => {
        if (call === 1) throw new Error('worker lost');
      });
      const run = runRoundsAhead(
        [slow.evaluator, failing.evaluator],
        rounds,
        assignment,
        configs,
        undefined,
        quietTally(),
        () => {},
      );
      await expect(run).rejects.toThrow('worker lost');
      expect(slowEnded).toBe(true);
      // Neither evaluator was given round 3 (the slow one's second call had begun before the failure).
      expect(slow.calls.length).toBeLessThanOrEqual(2);
      expect(failing.calls.length).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a cancel before a part starts stops the run with the cancellation', async () => {
    const cancel = { aborted: false };
    const first = recorder(async () => {
      cancel.aborted = true;
    });
    const second = recorder();
    await expect(
      runRoundsAhead(
        [first.evaluator, second.evaluator],
        rounds,
        assignment,
        configs,
        cancel,
        quietTally(),
        () => {},
      ),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(first.calls.length).toBe(1);
  });
});
