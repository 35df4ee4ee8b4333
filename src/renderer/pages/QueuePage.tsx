/**
 * Queue: compose a recipe (a sequence of procedures over a list of cells), save it by name, and
 * run it unattended with per-step progress, skip or retry on failure, stop, and a summary. The
 * same recipe JSON runs from the CLI (`reram-bench run RECIPE.json RESOURCE`).
 */
import { storedDieCells } from '../components/DieMap';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { InstrumentStatus, QueueView } from '../../shared/api';
import { parseCells, type Recipe } from '../../shared/recipes';
import { getApi } from '../api/client';
import { ErrorBanner } from '../components/Field';
import { errorText, useApiEvent } from '../hooks/api';
import type { AppMode } from '../files';
import { draftOf, storedDraft, storeDraft, toRecipe, type Draft } from './queue/draft';
import { QueueColumn } from './queue/QueueColumn';
import { RecipeForm } from './queue/RecipeForm';
import { SavedRecipes } from './queue/SavedRecipes';

export function QueuePage({ status, mode }: { status: InstrumentStatus | undefined; mode: AppMode }) {
  const [draft, setDraft] = useState<Draft>(storedDraft);
  const [recipes, setRecipes] = useState<Recipe[]>([]);
  const [queues, setQueues] = useState<QueueView[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const dieCells = status?.simulator?.cells ?? storedDieCells();

  const load = useCallback(async () => {
    const api = getApi().call;
    const [r, q] = await Promise.all([api['recipes.list']({}), api['queue.list']({ limit: 10 })]);
    setRecipes(r);
    setQueues(q);
  }, []);
  useEffect(() => {
    void load().catch((e: unknown) => setError(errorText(e)));
  }, [load]);
  useApiEvent(
    'queue.update',
    useCallback(
      (view: QueueView) => setQueues((list) => [view, ...list.filter((q) => q.id !== view.id)]),
      [],
    ),
  );

  const check = useMemo(() => toRecipe(draft), [draft]);
  useEffect(() => storeDraft(draft), [draft]);
  const selectedCells = useMemo(() => {
    try {
      return parseCells(draft.cells, dieCells - 1);
    } catch {
      return [];
    }
  }, [draft.cells, dieCells]);
  const running = queues.find((q) => q.status === 'running');
  const shown = running ?? queues[0];

  const save = async () => {
    if (!check.recipe) return setError(check.problem);
    try {
      await getApi().call['recipes.save'](check.recipe);
      setNotice(`Saved recipe '${check.recipe.name}'.`);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const start = async () => {
    setError(undefined);
    if (!check.recipe) return setError(check.problem);
    try {
      await getApi().call['queue.start']({ recipe: check.recipe });
      await load();
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
          error={error ?? (check.recipe ? undefined : check.problem)}
          onDismiss={() => setError(undefined)}
        />
        <SavedRecipes
          recipes={recipes}
          onLoad={(recipe) => setDraft(draftOf(recipe))}
          onChanged={() => void load()}
          onError={setError}
        />
      </section>
      <QueueColumn
        shown={shown}
        queues={queues}
        onAction={(e) => {
          if (e) setError(e);
          void load();
        }}
      />
    </div>
  );
}
