/** The recipe editor: cells (typed or picked on the die), failure handling, and its steps. */
import { fileSafeName } from '../../../shared/text';
import type { InstrumentStatus } from '../../../shared/api';
import { REQUIREMENT_TEXT } from '../../../shared/cell-guard';
import { PROCEDURE_SCHEMAS, type ProcedureName } from '../../../shared/procedures';
import { parseCells } from '../../../shared/recipes';
import { NumberField, SelectField, TextField } from '../../components/Field';
import { DieMap, formatCells } from '../../components/DieMap';
import { SchemaFields } from '../../components/SchemaForm';
import { saveFile, type AppMode } from '../../files';
import { newStep, stepFields, type Draft, type StepDraft, type toRecipe } from './draft';

type Patch = (patch: Partial<Draft>) => void;

function StepEditor({
  step,
  k,
  only,
  errors,
  onReplace,
  onMoveUp,
  onRemove,
}: {
  step: StepDraft;
  k: number;
  only: boolean;
  errors: Record<string, string>;
  onReplace(step: StepDraft): void;
  onMoveUp(): void;
  onRemove(): void;
}) {
  return (
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
          onChange={(procedure) => onReplace(newStep(procedure as ProcedureName))}
          options={(Object.keys(PROCEDURE_SCHEMAS) as ProcedureName[]).map((id) => ({
            value: id,
            label: PROCEDURE_SCHEMAS[id].title,
          }))}
        />
        <button type="button" disabled={k === 0} aria-label={`Move step ${k + 1} up`} onClick={onMoveUp}>
          ↑
        </button>
        <button type="button" disabled={only} aria-label={`Remove step ${k + 1}`} onClick={onRemove}>
          Remove
        </button>
      </div>
      <div className="form">
        <SchemaFields
          idPrefix={`step${step.key}`}
          fields={stepFields(step.procedure)}
          values={step.values}
          onChange={(key, value) => onReplace({ ...step, values: { ...step.values, [key]: value } })}
          errors={errors}
        />
      </div>
    </fieldset>
  );
}

function GeneralFields({
  draft,
  patch,
  dieCells,
  selectedCells,
}: {
  draft: Draft;
  patch: Patch;
  dieCells: number;
  selectedCells: number[];
}) {
  return (
    <>
      <TextField
        label="Recipe name"
        name="recipeName"
        value={draft.name}
        onChange={(v) => patch({ name: v })}
        wide
      />
      <TextField
        label="Cells"
        name="recipeCells"
        value={draft.cells}
        onChange={(v) => patch({ cells: v })}
        hint="e.g. 0-15 or 0,2,5-7 (or pick on the die below)"
        wide
      />
      <div className="wide">
        <DieMap
          count={dieCells}
          multiple
          selected={selectedCells}
          onSelect={(list) => patch({ cells: formatCells(list) })}
        />
      </div>
      <SelectField
        label="When a step fails"
        name="onFailure"
        value={draft.onFailure}
        onChange={(v) => patch({ onFailure: v })}
        options={[
          { value: 'retry-then-skip', label: 'retry, then skip the cell' },
          { value: 'skip-cell', label: 'skip the rest of the cell' },
          { value: 'stop', label: 'stop the queue' },
        ]}
      />
      <NumberField
        label="Retries"
        name="retries"
        value={draft.retries}
        onChange={(v) => patch({ retries: v })}
      />
      <SelectField
        label="When a cell is not ready"
        name="cellGuard"
        value={draft.cellGuard}
        onChange={(v) => patch({ cellGuard: v })}
        options={[
          { value: 'skip', label: 'skip the step' },
          { value: 'ask', label: 'ask me' },
        ]}
      />
    </>
  );
}

export function RecipeForm({
  draft,
  patch,
  check,
  dieCells,
  selectedCells,
  status,
  running,
  mode,
  onStart,
  onSave,
}: {
  draft: Draft;
  patch: Patch;
  check: ReturnType<typeof toRecipe>;
  dieCells: number;
  selectedCells: number[];
  status: InstrumentStatus | undefined;
  running: boolean;
  mode: AppMode;
  onStart(): void;
  onSave(): void;
}) {
  const replace = (k: number, step: StepDraft) =>
    patch({ steps: draft.steps.map((s, j) => (j === k ? step : s)) });
  const moveUp = (k: number) =>
    patch({
      steps: draft.steps.map((s, j) => (j === k - 1 ? draft.steps[k]! : j === k ? draft.steps[k - 1]! : s)),
    });
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        onStart();
      }}
    >
      <GeneralFields draft={draft} patch={patch} dieCells={dieCells} selectedCells={selectedCells} />
      {draft.steps.map((step, k) => (
        <StepEditor
          key={step.key}
          step={step}
          k={k}
          only={draft.steps.length === 1}
          errors={check.errors[step.key] ?? {}}
          onReplace={(s) => replace(k, s)}
          onMoveUp={() => moveUp(k)}
          onRemove={() => patch({ steps: draft.steps.filter((s) => s.key !== step.key) })}
        />
      ))}
      <div className="row wide">
        <button type="button" onClick={() => patch({ steps: [...draft.steps, newStep('read')] })}>
          Add step
        </button>
        <button type="button" onClick={onSave} disabled={!check.recipe}>
          Save recipe
        </button>
        <button
          type="button"
          disabled={!check.recipe}
          onClick={() =>
            check.recipe &&
            void saveFile(
              mode,
              `${fileSafeName(check.recipe.name)}.recipe.json`,
              `${JSON.stringify(check.recipe, null, 2)}\n`,
              'application/json',
              ['json'],
            )
          }
        >
          Export for the CLI
        </button>
      </div>
      <div className="sticky-actions wide">
        <button type="submit" className="primary" disabled={!check.recipe || running || !status?.connected}>
          Run queue on {check.recipe ? parseCells(check.recipe.cells).length : 0} cells
        </button>
        {!status?.connected ? <span className="muted">Connect an instrument first.</span> : null}
      </div>
    </form>
  );
}
