/** The recipe being edited: its form state, kept across page changes, and checked into a recipe. */
import { PROCEDURE_SCHEMAS, ProcedureParams, type ProcedureName } from '../../../shared/procedures';
import { Recipe, type RecipeInput } from '../../../shared/recipes';
import {
  fieldErrorsOf,
  formFields,
  formToRaw,
  initialFormValues,
  type FormValues,
} from '../../components/SchemaForm';

export const stepFields = (procedure: ProcedureName) =>
  formFields(PROCEDURE_SCHEMAS[procedure].schema, ['procedure', 'cell']);

export interface StepDraft {
  key: number;
  procedure: ProcedureName;
  values: FormValues;
}

let nextKey = 1;
export const newStep = (procedure: ProcedureName, values?: FormValues): StepDraft => ({
  key: nextKey++,
  procedure,
  values: values ?? initialFormValues(stepFields(procedure), PROCEDURE_SCHEMAS[procedure].suggested),
});

/** The recipe being edited, as the form holds it. */
export interface Draft {
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
export function storedDraft(): Draft {
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
export function toRecipe({ name, cells, onFailure, retries, cellGuard, steps }: Draft): {
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

export function storeDraft(draft: Draft): void {
  localStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

/** A saved recipe back in the editor, each step's parameters as the form shows them. */
export function draftOf(recipe: Recipe): Draft {
  return {
    name: recipe.name,
    cells: recipe.cells,
    onFailure: recipe.onFailure,
    retries: String(recipe.retries),
    cellGuard: recipe.cellGuard,
    steps: recipe.steps.map((step) => {
      const params = step.params as Record<string, unknown> & { procedure: ProcedureName };
      const values = initialFormValues(stepFields(params.procedure));
      for (const f of stepFields(params.procedure)) {
        const v = params[f.key];
        if (v !== undefined) values[f.key] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      return newStep(params.procedure, values);
    }),
  };
}
