/**
 * The Predict form's state: what the user chose, kept for the session, checked against the
 * settings schema as it is typed, and turned into a prediction request.
 */
import type { PredictionRequest } from '../../../shared/api';
import type { PredictMethod } from '../../../shared/quant/methods';
import type { ProfileSummary } from '../../../shared/profile/schema';
import { PredictSettings } from '../../../shared/rca/report';
import {
  fieldErrorsOf,
  formFields,
  formToRaw,
  initialFormValues,
  issueText,
  type FormValues,
} from '../../components/SchemaForm';

export const SETTINGS_FIELDS = formFields(PredictSettings, ['methods', 'bits', 'tile']);
/** A tile side as typed: a whole number, or NaN (which the schema refuses with a message). */
const parseTile = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN);
const STORAGE_KEY = 'reram-predict-form';
const DEFAULT_METHODS: PredictMethod[] = ['float', 'ideal-linear', 'linear', 'mes', 'mes-sigma'];

export interface FormState {
  profile: string;
  table: string;
  model: string;
  methods: PredictMethod[];
  bits: number[];
  tileRows: string;
  tileCols: string;
  values: FormValues;
}

export function initialForm(initialProfile: string | null): FormState {
  const fallback: FormState = {
    profile: initialProfile ?? '',
    table: '',
    model: 'lenet5',
    methods: DEFAULT_METHODS,
    bits: [2, 3, 4],
    tileRows: '128',
    tileCols: '128',
    values: initialFormValues(SETTINGS_FIELDS),
  };
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<FormState> | null;
    if (!stored) return fallback;
    return {
      ...fallback,
      ...stored,
      values: { ...fallback.values, ...stored.values },
      ...(initialProfile ? { profile: initialProfile, table: '' } : {}),
    };
  } catch {
    return fallback;
  }
}

export function storeForm(form: FormState): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(form));
}

/** The largest bit width a table can hold: 2^b ≤ its levels. */
const maxBitsOf = (levels: number) => (levels >= 2 ? Math.floor(Math.log2(levels)) : 0);

/** What the chosen profile and table allow: the table, its widest bit width, the bits kept. */
export function tableChoice(profiles: readonly ProfileSummary[], form: FormState) {
  const profile = profiles.find((p) => p.name === form.profile);
  const table = profile?.tables.find((t) => t.name === form.table) ?? profile?.tables[0];
  const maxBits = Math.min(8, maxBitsOf(table?.levels ?? 0));
  return { profile, table, maxBits, bits: form.bits.filter((b) => b <= maxBits) };
}

export type SettingsCheck = ReturnType<typeof checkSettings>;

/** The settings parsed as typed, in the user's units (the same messages as Characterize). */
export function checkSettings(form: FormState, bits: readonly number[]) {
  const raw = formToRaw(SETTINGS_FIELDS, form.values);
  const tile = { rows: parseTile(form.tileRows), cols: parseTile(form.tileCols) };
  const result = PredictSettings.safeParse({
    ...raw,
    methods: form.methods,
    bits: [...bits].sort((a, b) => a - b),
    tile,
  });
  const fieldErrors = result.success
    ? {}
    : fieldErrorsOf(
        result.error.issues.filter((i) => i.path[0] !== 'tile'),
        SETTINGS_FIELDS,
        raw,
      );
  const tileIssue = result.success ? undefined : result.error.issues.find((i) => i.path[0] === 'tile');
  if (tileIssue)
    fieldErrors.tile =
      tileIssue.code === 'invalid_type'
        ? 'Tiles are whole numbers of rows and columns'
        : issueText(tileIssue as Parameters<typeof issueText>[0], undefined);
  return { parsed: result, errors: fieldErrors };
}

/** The test data the user chose: an IDX pair or a CIFAR-10 .bin (none: the model's own). */
async function dataOf(files: readonly File[]): Promise<PredictionRequest['data']> {
  if (!files.length) return undefined;
  const bin = files.find((f) => f.name.endsWith('.bin'));
  const images = files.find((f) => /images/.test(f.name));
  const labels = files.find((f) => /labels/.test(f.name));
  if (bin) return { kind: 'cifar10', name: bin.name, bytes: new Uint8Array(await bin.arrayBuffer()) };
  if (images && labels)
    return {
      kind: 'idx',
      name: images.name,
      images: new Uint8Array(await images.arrayBuffer()),
      labels: new Uint8Array(await labels.arrayBuffer()),
    };
  throw new Error(
    'Choose an IDX pair (…images-idx3-ubyte and …labels-idx1-ubyte, raw or .gz) or a CIFAR-10 .bin file.',
  );
}

/** The form's prediction as a request; throws with what to fix. */
export async function buildRequest(
  form: FormState,
  check: SettingsCheck,
  tableName: string | undefined,
  files: { model: File | undefined; data: readonly File[] },
): Promise<PredictionRequest> {
  if (!check.parsed.success) throw new Error('Check the highlighted settings.');
  let model: PredictionRequest['model'];
  if (form.model === 'file') {
    if (!files.model) throw new Error('Choose an ONNX file.');
    model = { kind: 'file', name: files.model.name, bytes: new Uint8Array(await files.model.arrayBuffer()) };
  } else model = { kind: 'builtin', id: form.model };
  const data = await dataOf(files.data);
  return {
    profile: form.profile,
    ...(tableName ? { table: tableName } : {}),
    model,
    ...(data ? { data } : {}),
    settings: check.parsed.data,
  };
}
