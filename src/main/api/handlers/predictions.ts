/** Accuracy predictions: start, follow, cancel, and the stored results. */
import type { FeatureHandlers, HandlerContext } from './context';
import { OK } from './context';

export const predictionHandlers = ({ predictions }: HandlerContext) =>
  ({
    'predictions.start': async (request) => predictions.start(request),
    'predictions.cancel': async ({ id }) => {
      predictions.cancel(id);
      return OK;
    },
    'predictions.warm': async () => {
      predictions.warm();
      return OK;
    },
    'predictions.active': async () => predictions.activeProgress(),
    'predictions.list': async ({ limit }) => predictions.list(limit),
    'predictions.get': async ({ id }) => predictions.get(id),
    'predictions.delete': async ({ id }) => {
      predictions.delete(id);
      return OK;
    },
  }) satisfies FeatureHandlers;
