/**
 * Queue: compose a recipe (a sequence of procedures over a list of cells), save it by name, and
 * run it unattended with per-step progress, skip or retry on failure, stop, and a summary. The
 * same recipe JSON runs from the CLI (`reram-bench run RECIPE.json RESOURCE`).
 */
import { fileSafeName } from '../../shared/text';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { InstrumentStatus, QueueView } from '../../shared/api';
import { REQUIREMENT_TEXT } from '../../shared/cell-guard';
import { PROCEDURE_SCHEMAS, ProcedureParams } from '../../shared/procedures';
import { parseCells, queueCounts, Recipe, type RecipeInput } from '../../shared/recipes';
import { getApi } from '../api/client';
import { ErrorBanner, NumberField, SelectField, TextField } from '../components/Field';
import { DieMap, formatCells } from '../components/DieMap';
import {
  fieldErrorsOf,
  formFields,
  formToRaw,
  initialFormValues,
  SchemaFields,
  type FormValues,
} from '../components/SchemaForm';
import { errorText, useApiEvent } from '../hooks/api';
import { saveFile, type AppMode } from '../files';

type ProcedureId = keyof typeof PROCEDURE_SCHEMAS;
const stepFields = (procedure: ProcedureId) =>
  formFields(PROCEDURE_SCHEMAS[procedure].schema, ['procedure', 'cell']);

interface StepDraft {
  key: number;
  procedure: ProcedureId;
  values: FormValues;
}

let nextKey = 1;
const newStep = (procedure: ProcedureId, values?: FormValues): StepDraft => ({
  key: nextKey++,
  procedure,
  values: values ?? initialFormValues(stepFields(procedure), PROCEDURE_SCHEMAS[procedure].suggested),
});

/** The recipe being edited, as the form holds it. */
interface Draft {
  name: string;
  cells: string;
  onFailure: string;
  retries: string;
  cellGuard: string;
  steps: StepDraft[];
}

const DRAFT_KEY = 'reram-queue-draft';
const DEFAULT_DRAFT = (): Draft => ({
  name: 'form and train',
  cells: '0-3',
  onFailure: 'retry-then-skip',
  retries: '1',
  cellGuard: 'skip',
  steps: [newStep('forming'), newStep('pulse-train')],
});

/** The draft survives a page change and a reload: what the editor shows is what runs and exports. */
function storedDraft(): Draft {
  try {
    const saved = JSON.parse(localStorage.getItem(DRAFT_KEY) ?? 'null') as Partial<Draft> | null;
    if (!saved || !Array.isArray(saved.steps)) return DEFAULT_DRAFT();
    const steps = saved.steps.filter((step) => Object.hasOwn(PROCEDURE_SCHEMAS, step.procedure));
    if (!steps.length) return DEFAULT_DRAFT();
    return {
      ...DEFAULT_DRAFT(),
      ...saved,
      steps: steps.map((step) => newStep(step.procedure, { ...step.values })),
    };
  } catch {
    return DEFAULT_DRAFT();
  }
}

/** The draft as a recipe, or the first problem with it. */
function toRecipe({ name, cells, onFailure, retries, cellGuard, steps }: Draft): {
  recipe?: Recipe;
  errors: Record<number, Record<string, string>>;
  problem?: string;
} {
  const errors: Record<number, Record<string, string>> = {};
  const params = steps.map((step) => {
    const fields = stepFields(step.procedure);
    const raw = { procedure: step.procedure, cell: 0, ...formToRaw(fields, step.values) };
    const parsed = ProcedureParams.safeParse(raw);
    if (!parsed.success) {
      errors[step.key] = fieldErrorsOf(parsed.error.issues, fields, raw);
      return undefined;
    }
    const { cell: _cell, ...rest } = parsed.data;
    return rest;
  });
  if (Object.keys(errors).length) return { errors, problem: 'Check the highlighted step settings.' };
  const parsed = Recipe.safeParse({
    name,
    cells,
    onFailure: onFailure as RecipeInput['onFailure'],
    retries: Number(retries),
    cellGuard: cellGuard as RecipeInput['cellGuard'],
    steps: params.map((p) => ({ params: p! })),
  } satisfies RecipeInput);
  if (!parsed.success)
    return {
      errors,
      problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'recipe'}: ${i.message}`).join('; '),
    };
  return { recipe: parsed.data, errors };
}

function QueueProgress({ queue, onAction }: { queue: QueueView; onAction: (error?: string) => void }) {
  const counts = queueCounts(queue);
  const total = queue.steps.length;
  const finished = counts.completed + counts.failed + counts.skipped;
  const unfinished = total - counts.completed;
  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      onAction();
    } catch (e) {
      onAction(errorText(e));
    }
  };
  const api = getApi().call;
  return (
    <section className="card" aria-labelledby="queue-title" data-testid="queue-progress">
      <h2 id="queue-title">
        Queue {queue.id}: {queue.name} <span className={`status ${queue.status}`}>{queue.status}</span>
      </h2>
      <div className="progress" aria-live="polite">
        <progress max={total} value={finished} aria-label={`Queue ${queue.id} progress`} />
        <span className="muted" data-testid="queue-summary">
          {finished} of {total} steps · {counts.completed} completed · {counts.failed} failed ·{' '}
          {counts.skipped} skipped
          {counts.pending + counts.cancelled ? ` · ${counts.pending + counts.cancelled} not run` : ''}
        </span>
      </div>
      {queue.question ? (
        <div className="warn-banner" role="alert" data-testid="queue-question">
          Cell {queue.question.cell}, {queue.question.procedure}: {queue.question.reason}.{' '}
          <button
            type="button"
            onClick={() =>
              void act(() =>
                api['queue.answer']({ id: queue.id, position: queue.question!.position, run: true }),
              )
            }
          >
            Run anyway
          </button>{' '}
          <button
            type="button"
            className="primary"
            onClick={() =>
              void act(() =>
                api['queue.answer']({ id: queue.id, position: queue.question!.position, run: false }),
              )
            }
          >
            Skip this step
          </button>
        </div>
      ) : null}
      {queue.waitingForCell !== null ? (
        <div className="warn-banner" role="alert">
          Move the probes to cell {queue.waitingForCell}, then{' '}
          <button
            type="button"
            className="primary"
            onClick={() => void act(() => api['queue.continue']({ id: queue.id }))}
          >
            Continue
          </button>
        </div>
      ) : null}
      <div className="row">
        {queue.status === 'running' ? (
          <>
            <button
              type="button"
              disabled={queue.stopping}
              onClick={() => void act(() => api['queue.stop']({ id: queue.id }))}
            >
              {queue.stopping ? 'Stopping after this step…' : 'Stop after this step'}
            </button>
            <button
              type="button"
              className="danger"
              title="Cancels the running step (output off); resuming runs it again"
              onClick={() => void act(() => api['queue.stop']({ id: queue.id, now: true }))}
            >
              Stop now
            </button>
          </>
        ) : null}
        {queue.status !== 'running' && unfinished > 0 ? (
          <button
            type="button"
            className="primary"
            onClick={() => void act(() => api['queue.start']({ resume: queue.id }))}
          >
            Resume: run the {unfinished} unfinished step{unfinished === 1 ? '' : 's'} again
          </button>
        ) : null}
      </div>
      <div className="table-scroll history">
        <table className="data" data-testid="queue-steps">
          <thead>
            <tr>
              <th>cell</th>
              <th>step</th>
              <th className="text">procedure</th>
              <th className="text">status</th>
              <th>run</th>
              <th>attempts</th>
              <th className="text">note</th>
            </tr>
          </thead>
          <tbody>
            {queue.steps.map((s) => (
              <tr key={s.position} data-status={s.status}>
                <td>{s.cell}</td>
                <td>{s.step + 1}</td>
                <td className="text">{s.procedure}</td>
                <td className="text">
                  <span className={`status ${s.status}`}>{s.status}</span>
                </td>
                <td>{s.runId !== null ? <a href={`#/runs?run=${s.runId}`}>{s.runId}</a> : ''}</td>
                <td>{s.attempts || ''}</td>
                <td className="text muted">{s.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function QueuePage({ status, mode }: { status: InstrumentStatus | undefined; mode: AppMode }) {
  const [initial] = useState(storedDraft);
  const [name, setName] = useState(initial.name);
  const [cells, setCells] = useState(initial.cells);
  const [onFailure, setOnFailure] = useState(initial.onFailure);
  const [retries, setRetries] = useState(initial.retries);
  const [cellGuard, setCellGuard] = useState(initial.cellGuard);
  const [steps, setSteps] = useState<StepDraft[]>(initial.steps);
  const [recipes, setRecipes] = useState<Recipe[]>([]);
  const [queues, setQueues] = useState<QueueView[]>([]);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const dieCells = status?.simulator?.cells ?? (Number(localStorage.getItem('reram-die-cells') ?? 16) || 16);

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

  const draft = useMemo(
    () => toRecipe({ name, cells, onFailure, retries, cellGuard, steps }),
    [name, cells, onFailure, retries, cellGuard, steps],
  );
  useEffect(() => {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ name, cells, onFailure, retries, cellGuard, steps }));
  }, [name, cells, onFailure, retries, cellGuard, steps]);
  const selectedCells = useMemo(() => {
    try {
      return parseCells(cells, dieCells - 1);
    } catch {
      return [];
    }
  }, [cells, dieCells]);
  const running = queues.find((q) => q.status === 'running');
  const shown = running ?? queues[0];

  const load_ = (recipe: Recipe) => {
    setName(recipe.name);
    setCells(recipe.cells);
    setOnFailure(recipe.onFailure);
    setRetries(String(recipe.retries));
    setCellGuard(recipe.cellGuard);
    setSteps(
      recipe.steps.map((step) => {
        const params = step.params as Record<string, unknown> & { procedure: ProcedureId };
        const values = initialFormValues(stepFields(params.procedure));
        for (const f of stepFields(params.procedure)) {
          const v = params[f.key];
          if (v !== undefined) values[f.key] = Array.isArray(v) ? v.join(', ') : String(v);
        }
        return newStep(params.procedure, values);
      }),
    );
  };

  const save = async () => {
    if (!draft.recipe) return setError(draft.problem);
    try {
      await getApi().call['recipes.save'](draft.recipe);
      setNotice(`Saved recipe '${draft.recipe.name}'.`);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const start = async () => {
    setError(undefined);
    if (!draft.recipe) return setError(draft.problem);
    try {
      await getApi().call['queue.start']({ recipe: draft.recipe });
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="recipe-title">
        <h2 id="recipe-title">Recipe</h2>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <TextField label="Recipe name" name="recipeName" value={name} onChange={setName} wide />
          <TextField
            label="Cells"
            name="recipeCells"
            value={cells}
            onChange={setCells}
            hint="e.g. 0-15 or 0,2,5-7 (or pick on the die below)"
            wide
          />
          <div className="wide">
            <DieMap
              count={dieCells}
              multiple
              selected={selectedCells}
              onSelect={(list) => setCells(formatCells(list))}
            />
          </div>
          <SelectField
            label="When a step fails"
            name="onFailure"
            value={onFailure}
            onChange={setOnFailure}
            options={[
              { value: 'retry-then-skip', label: 'retry, then skip the cell' },
              { value: 'skip-cell', label: 'skip the rest of the cell' },
              { value: 'stop', label: 'stop the queue' },
            ]}
          />
          <NumberField label="Retries" name="retries" value={retries} onChange={setRetries} />
          <SelectField
            label="When a cell is not ready"
            name="cellGuard"
            value={cellGuard}
            onChange={setCellGuard}
            options={[
              { value: 'skip', label: 'skip the step' },
              { value: 'ask', label: 'ask me' },
            ]}
          />
          {steps.map((step, k) => (
            <fieldset key={step.key} className="wide step" data-step={k + 1}>
              <legend>
                Step {k + 1}: {PROCEDURE_SCHEMAS[step.procedure].title}{' '}
                <span className="muted" data-testid={`step${k + 1}-requires`}>
                  · {REQUIREMENT_TEXT[PROCEDURE_SCHEMAS[step.procedure].requires]}
                </span>
              </legend>
              <div className="row">
                <SelectField
                  label="Procedure"
                  name={`step${k + 1}-procedure`}
                  value={step.procedure}
                  onChange={(procedure) =>
                    setSteps((list) =>
                      list.map((s) => (s.key === step.key ? newStep(procedure as ProcedureId) : s)),
                    )
                  }
                  options={(Object.keys(PROCEDURE_SCHEMAS) as ProcedureId[]).map((id) => ({
                    value: id,
                    label: PROCEDURE_SCHEMAS[id].title,
                  }))}
                />
                <button
                  type="button"
                  disabled={k === 0}
                  aria-label={`Move step ${k + 1} up`}
                  onClick={() =>
                    setSteps((list) =>
                      list.map((s, j) => (j === k - 1 ? list[k]! : j === k ? list[k - 1]! : s)),
                    )
                  }
                >
                  ↑
                </button>
                <button
                  type="button"
                  disabled={steps.length === 1}
                  aria-label={`Remove step ${k + 1}`}
                  onClick={() => setSteps((list) => list.filter((s) => s.key !== step.key))}
                >
                  Remove
                </button>
              </div>
              <div className="form">
                <SchemaFields
                  idPrefix={`step${step.key}`}
                  fields={stepFields(step.procedure)}
                  values={step.values}
                  onChange={(key, value) =>
                    setSteps((list) =>
                      list.map((s) =>
                        s.key === step.key ? { ...s, values: { ...s.values, [key]: value } } : s,
                      ),
                    )
                  }
                  errors={draft.errors[step.key] ?? {}}
                />
              </div>
            </fieldset>
          ))}
          <div className="row wide">
            <button type="button" onClick={() => setSteps((list) => [...list, newStep('read')])}>
              Add step
            </button>
            <button type="button" onClick={() => void save()} disabled={!draft.recipe}>
              Save recipe
            </button>
            <button
              type="button"
              disabled={!draft.recipe}
              onClick={() =>
                draft.recipe &&
                void saveFile(
                  mode,
                  `${fileSafeName(draft.recipe.name)}.recipe.json`,
                  `${JSON.stringify(draft.recipe, null, 2)}\n`,
                  'application/json',
                  ['json'],
                )
              }
            >
              Export for the CLI
            </button>
          </div>
          <div className="sticky-actions wide">
            <button
              type="submit"
              className="primary"
              disabled={!draft.recipe || Boolean(running) || !status?.connected}
            >
              Run queue on {draft.recipe ? parseCells(draft.recipe.cells).length : 0} cells
            </button>
            {!status?.connected ? <span className="muted">Connect an instrument first.</span> : null}
          </div>
        </form>
        {notice ? (
          <p className="muted" role="status">
            {notice}
          </p>
        ) : null}
        <ErrorBanner
          error={error ?? (draft.recipe ? undefined : draft.problem)}
          onDismiss={() => setError(undefined)}
        />
        <h3>Saved recipes</h3>
        {recipes.length === 0 ? <p className="muted">None yet.</p> : null}
        <ul className="plain" data-testid="recipes">
          {recipes.map((r) => (
            <li key={r.name} className="row">
              <button type="button" onClick={() => load_(r)}>
                Load
              </button>
              <span>
                {r.name}{' '}
                <span className="muted">
                  · cells {r.cells} · {r.steps.length} steps
                </span>
              </span>
              <button
                type="button"
                aria-label={`Delete recipe ${r.name}`}
                onClick={() => {
                  if (confirm(`Delete recipe '${r.name}'?`))
                    void getApi()
                      .call['recipes.delete']({ name: r.name })
                      .then(load, (e: unknown) => setError(errorText(e)));
                }}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      </section>
      <div className="results-column">
        {shown ? (
          <QueueProgress
            queue={shown}
            onAction={(e) => {
              if (e) setError(e);
              void load();
            }}
          />
        ) : (
          <section className="card">
            <h2>No queue yet</h2>
            <p className="muted">
              A queue runs the recipe&apos;s steps on each cell in turn: every step on cell 0, then cell 1, …
              Each step is an ordinary run (stored, with the output off after it). A failed step is retried,
              then the rest of its cell is skipped. A step runs only on a cell in the state it needs (forming
              a pristine cell, programming a formed one); otherwise it is skipped, or you are asked. Resuming
              a queue runs every step that did not complete again, in order.
            </p>
          </section>
        )}
        {queues.length > 1 ? (
          <section className="card">
            <h2>Earlier queues</h2>
            <ul className="plain">
              {queues
                .filter((q) => q.id !== shown?.id)
                .map((q) => {
                  const c = queueCounts(q);
                  return (
                    <li key={q.id}>
                      Queue {q.id}: {q.name} <span className={`status ${q.status}`}>{q.status}</span>{' '}
                      <span className="muted">
                        {c.completed}/{q.steps.length} completed{c.failed ? `, ${c.failed} failed` : ''}
                      </span>
                    </li>
                  );
                })}
            </ul>
          </section>
        ) : null}
      </div>
    </div>
  );
}
