/**
 * How a round of chips is shared among evaluators, and how their outcomes merge back in
 * configuration and chip order, so the answer does not depend on which evaluator finished first.
 */
import type { CancelToken } from '../errors';
import type { ChipEvaluator, ChipOutcome } from './evaluator';
import type { Configuration } from './job';
import type { PredictMethod } from './transform';

/**
 * With several evaluators and at least as many configurations that vary per chip (or none varies,
 * so every configuration runs once), each evaluator takes a share of the configurations (and
 * compiles only those) instead of a share of the chips.
 * Each configuration then sees the chips in order on one session, so the answer is the same as
 * in one thread. Null: split by chips.
 */
export function splitConfigurations(
  configs: readonly Configuration[],
  varies: (method: PredictMethod) => boolean,
  evaluators: number,
): number[][] | null {
  const varying = configs.flatMap((c, i) => (varies(c.method) ? [i] : []));
  if (evaluators < 2) return null;
  const shares: number[][] = Array.from({ length: evaluators }, () => []);
  if (varying.length === 0) {
    // One deterministic chip (σ = 0, no read noise): every configuration runs once, so share them all.
    if (configs.length < 2) return null;
    configs.forEach((_, index) => shares[index % evaluators]!.push(index));
    return shares;
  }
  if (varying.length < evaluators) return null;
  varying.forEach((index, k) => shares[k % evaluators]!.push(index));
  // The once-only configurations (float, ideal-linear) go to the evaluators with the fewest.
  for (const [index, config] of configs.entries())
    if (!varies(config.method)) shares.reduce((a, b) => (b.length < a.length ? b : a)).push(index);
  return shares.map((share) => share.sort((a, b) => a - b));
}

/** One outcome per chip from evaluators that each ran some of the configurations. */
export function mergeOutcomes(parts: ChipOutcome[][], configs: readonly Configuration[]): ChipOutcome[] {
  const byChip = new Map<number, ChipOutcome>();
  const order = (method: PredictMethod, bits: number | null) =>
    configs.findIndex((c) => c.method === method && c.bits === bits);
  for (const outcome of parts.flat()) {
    const merged = byChip.get(outcome.chip);
    if (!merged) {
      byChip.set(outcome.chip, {
        ...outcome,
        accuracies: [...outcome.accuracies],
        correct: [...outcome.correct],
        ...(outcome.layers ? { layers: [...outcome.layers] } : {}),
        ...(outcome.models ? { models: [...outcome.models] } : {}),
      });
      continue;
    }
    outcome.accuracies.forEach((a, i) => {
      if (a !== null && a !== undefined) merged.accuracies[i] = a;
    });
    outcome.correct.forEach((c, i) => {
      if (c) merged.correct[i] = c;
    });
    if (outcome.layers) merged.layers = [...(merged.layers ?? []), ...outcome.layers];
    if (outcome.models) merged.models = [...(merged.models ?? []), ...outcome.models];
  }
  // Layer reports and models in configuration order, as one evaluator gives them.
  for (const outcome of byChip.values()) {
    outcome.layers?.sort((a, b) => order(a.method, a.bits) - order(b.method, b.bits));
    outcome.models?.sort((a, b) => order(a.method, a.bits) - order(b.method, b.bits));
  }
  return [...byChip.values()];
}

/**
 * One round of chips over the evaluators: each runs its configurations on every chip (a split by
 * configurations), or its block of the chips. The outcomes come back merged, in chip order, so
 * the result does not depend on which evaluator finished first.
 */
export async function runRound(
  evaluators: readonly ChipEvaluator[],
  round: readonly number[],
  assignment: number[][] | null,
  configs: readonly Configuration[],
  cancel: CancelToken | undefined,
  progress: (evaluator: number, running: string) => (evaluations: number, what: string) => void,
): Promise<ChipOutcome[]> {
  if (assignment) {
    const parts = await Promise.all(
      assignment.map((mine, k) =>
        evaluators[k]!.evaluate(round, {
          cancel,
          configs: mine,
          onProgress: progress(k, ` (${evaluators.length} workers)`),
        }),
      ),
    );
    return mergeOutcomes(parts, configs).sort((a, b) => a.chip - b.chip);
  }
  const share = Math.ceil(round.length / evaluators.length);
  const blocks = evaluators
    .map((_, k) => round.slice(k * share, (k + 1) * share))
    .filter((b) => b.length > 0);
  const parts = await Promise.all(
    blocks.map((block, k) =>
      evaluators[k]!.evaluate(block, {
        cancel,
        onProgress: progress(k, blocks.length > 1 ? ` (${blocks.length} workers)` : ''),
      }),
    ),
  );
  return parts.flat().sort((a, b) => a.chip - b.chip);
}
