/**
 * Queue: compose a recipe (a sequence of procedures over a list of cells), save it by name, and
 * run it unattended with per-step progress, skip or retry on failure, stop, and a summary. The
 * same recipe JSON runs from the CLI (`reram-bench run RECIPE.json RESOURCE`).
 */
import { storedDieCells } from '../components/DieMap';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { InstrumentStatus, QueueView } from '../../shared/api';
import { parseCells } from '../../shared/recipes';
import { getApi } from '../api/client';
import { ErrorBanner } from '../components/Field';
import { errorText, useApiEvent, useApiQuery } from '../hooks/api';
import type { AppMode } from '../files';
import { draftOf, storedDraft, storeDraft, toRecipe, type Draft } from './queue/draft';
import { QueueColumn } from './queue/QueueColumn';
import { RecipeForm } from './queue/RecipeForm';
import { SavedRecipes } from './queue/SavedRecipes';

export function QueuePage({ status, mode }: { status: InstrumentStatus | undefined; mode: AppMode }) {
  const [draft, setDraft] = useState<Draft>(storedDraft);
  const recipeList = useApiQuery('recipes.list', {});
  const recipes = recipeList.data ?? [];
  const queues = useQueues();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const dieCells = status?.simulator?.cells ?? storedDieCells();

  const check = useMemo(() => toRecipe(draft), [draft]);
  useEffect(() => storeDraft(draft), [draft]);
  const selectedCells = useMemo(() => {
    try {
      return parseCells(draft.cells, dieCells - 1);
    } catch {
      return [];
    }
  }, [draft.cells, dieCells]);
  const running = queues.list.find((q) => q.status === 'running');
  const shown = running ?? queues.list[0];

  const save = async () => {
    if (!check.recipe) return setError(check.problem);
    try {
      await getApi().call['recipes.save'](check.recipe);
      setNotice(`Saved recipe '${check.recipe.name}'.`);
      recipeList.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const start = async () => {
    setError(undefined);
    if (!check.recipe) return setError(check.problem);
    try {
      await getApi().call['queue.start']({ recipe: check.recipe });
      queues.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="recipe-title">
        <h2 id="recipe-title">Recipe</h2>
        <RecipeForm
          draft={draft}
          patch={(patch) => setDraft((d) => ({ ...d, ...patch }))}
          check={check}
          dieCells={dieCells}
          selectedCells={selectedCells}
          status={status}
          running={Boolean(running)}
          mode={mode}
          onStart={() => void start()}
          onSave={() => void save()}
        />
        {notice ? (
          <p className="muted" role="status">
            {notice}
          </p>
        ) : null}
        <ErrorBanner
          error={error ?? recipeList.error ?? queues.error ?? (check.recipe ? undefined : check.problem)}
          onDismiss={() => setError(undefined)}
        />
        <SavedRecipes
          recipes={recipes}
          onLoad={(recipe) => setDraft(draftOf(recipe))}
          onChanged={recipeList.reload}
          onError={setError}
        />
      </section>
      <QueueColumn
        shown={shown}
        queues={queues.list}
        onAction={(e) => {
          if (e) setError(e);
          queues.reload();
        }}
      />
    </div>
  );
}

/**
 * The latest queues: the stored list, with each queue.update applied as it arrives (newest
 * first) rather than asking again; a fresh list replaces the updates it already holds.
 */
function useQueues(): { list: QueueView[]; error: string | undefined; reload(): void } {
  const stored = useApiQuery('queue.list', { limit: 10 });
  const [updates, setUpdates] = useState<QueueView[]>([]);
  useEffect(() => setUpdates([]), [stored.data]);
  useApiEvent(
    'queue.update',
    useCallback(
      (view: QueueView) => setUpdates((list) => [view, ...list.filter((q) => q.id !== view.id)]),
      [],
    ),
  );
  const list = useMemo(() => {
    const updated = new Set(updates.map((q) => q.id));
    return [...updates, ...(stored.data ?? []).filter((q) => !updated.has(q.id))];
  }, [updates, stored.data]);
  return { list, error: stored.error, reload: stored.reload };
}
