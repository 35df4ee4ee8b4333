/** Recipes and the unattended queue. */
import type { FeatureHandlers, HandlerContext } from './context';
import { OK } from './context';

export const queueHandlers = ({ queues }: HandlerContext) =>
  ({
    'recipes.list': async () => queues.recipes(),
    'recipes.save': async (recipe) => queues.saveRecipe(recipe),
    'recipes.delete': async ({ name }) => {
      queues.deleteRecipe(name);
      return OK;
    },
    'queue.start': async (request) =>
      queues.start({
        ...(request.recipe ? { recipe: request.recipe } : {}),
        ...(request.resume !== undefined ? { resume: request.resume } : {}),
      }),
    'queue.stop': async ({ id, now }) => {
      queues.stop(id, now);
      return OK;
    },
    'queue.answer': async ({ id, position, run }) => {
      queues.answer(id, position, run);
      return OK;
    },
    'queue.continue': async ({ id }) => {
      queues.continue(id);
      return OK;
    },
    'queue.list': async ({ limit }) => queues.list(limit),
  }) satisfies FeatureHandlers;
