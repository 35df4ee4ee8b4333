/** Level tables fitted from a run, and placing a model's weights on them. */
import { fitSummary, fitRun } from '../../services/fitting';
import { placeOnTable } from '../../services/placement';
import type { FeatureHandlers, HandlerContext } from './context';

export const levelHandlers = ({ store }: HandlerContext) =>
  ({
    'levels.fit': async ({ runId, bits, spacing }) => fitSummary(store, runId, { bits, spacing }),
    'levels.place': async ({ runId, model, bits, tolerance, margin }) =>
      placeOnTable(fitRun(store, runId).table, {
        model: `builtin:${model}`,
        bits,
        sigma: 'verify',
        tolerance,
        margin,
      }),
  }) satisfies FeatureHandlers;
