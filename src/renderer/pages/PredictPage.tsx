/**
 * Predict: choose a device table and a network, run the prediction as a job of main (it keeps
 * running when this page is left), and read accuracy, paired differences to linear and the
 * weight mapping; earlier predictions stay in the history.
 */
import { fileSafeName } from '../../shared/text';
import { useCallback, useEffect, useMemo, useState } from 'react';
import uPlot from 'uplot';
import type {
  PredictionProgress,
  PredictionRecord,
  PredictionRequest,
  PredictionSummary,
} from '../../shared/api';
import { accuracyChart, differenceChart, predictionCaption } from '../../shared/charts/prediction';
import { chartSvg, type ChartSpec } from '../../shared/charts/svg';
import { METHODS, type PredictMethod } from '../../shared/quant/methods';
import type { ProfileSummary } from '../../shared/profile/schema';
import {
  PREDICT_METHODS,
  PredictSettings,
  reportToCsv,
  type MethodResult,
  type PredictionReport,
} from '../../shared/rca/report';
import { formatNumber, formatPercentPoints } from '../../shared/units';
import { getApi } from '../api/client';
import { ErrorBanner, formatDuration, NumberField, SelectField } from '../components/Field';
import { markersPlugin, Plot, themedAxes } from '../components/Plot';
import {
  fieldErrorsOf,
  formFields,
  formToRaw,
  initialFormValues,
  issueText,
  SchemaFields,
  type FormValues,
} from '../components/SchemaForm';
import { SvgChart, svgToPngBytes, useDocumentTheme } from '../components/SvgChart';
import { DriftTimeline } from './DriftTimeline';
import { errorText, useApiEvent } from '../hooks/api';
import { saveFile, type AppMode } from '../files';

const SETTINGS_FIELDS = formFields(PredictSettings, ['methods', 'bits', 'tile']);
/** A tile side as typed: a whole number, or NaN (which the schema refuses with a message). */
const parseTile = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN);
const STORAGE_KEY = 'reram-predict-form';
const DEFAULT_METHODS: PredictMethod[] = ['float', 'ideal-linear', 'linear', 'mes', 'mes-sigma'];

interface FormState {
  profile: string;
  table: string;
  model: string;
  methods: PredictMethod[];
  bits: number[];
  tileRows: string;
  tileCols: string;
  values: FormValues;
}

function initialForm(initialProfile: string | null): FormState {
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

/** The largest bit width a table can hold: 2^b ≤ its levels. */
const maxBitsOf = (levels: number) => (levels >= 2 ? Math.floor(Math.log2(levels)) : 0);

function exportBaseName(report: PredictionReport): string {
  const when = report.createdAt.slice(0, 16).replace(/-/g, '').replace('T', '-').replace(':', '');
  return `prediction-${fileSafeName(report.device.profile)}-${fileSafeName(report.model.name)}-${when}`;
}

function ResultsTable({ results }: { results: MethodResult[] }) {
  const bits = [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort(
    (a, b) => a - b,
  );
  const methods = PREDICT_METHODS.filter((m) => results.some((r) => r.method === m));
  const paired = methods.filter((m) => results.some((r) => r.method === m && r.vsLinear));
  return (
    <div className="table-scroll">
      <table className="data" data-testid="results">
        <caption className="muted">Top-1 accuracy, mean ± 95 % CI</caption>
        <thead>
          <tr>
            <th>method</th>
            {bits.map((b) => (
              <th key={b}>{b}-bit</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {methods.map((m) => (
            <tr key={m} data-method={m}>
              <td>
                <span className="dot" style={{ background: METHODS[m].color }} aria-hidden="true" />{' '}
                {METHODS[m].label}
              </td>
              {bits.map((b) => {
                const r = results.find((x) => x.method === m && (m === 'float' || x.bits === b));
                return (
                  <td key={b} data-bits={b} data-accuracy={r ? r.mean : ''}>
                    {r ? `${(100 * r.mean).toFixed(2)} ± ${(100 * r.ci95).toFixed(2)} %` : ''}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {paired.length ? (
        <table className="data" data-testid="differences">
          <caption className="muted">
            Paired difference to linear (percentage points, 95 % CI; * significant)
          </caption>
          <thead>
            <tr>
              <th>method</th>
              {bits.map((b) => (
                <th key={b}>{b}-bit</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {paired.map((m) => (
              <tr key={m} data-method={m}>
                <td>{METHODS[m].label}</td>
                {bits.map((b) => {
                  const d = results.find((x) => x.method === m && x.bits === b)?.vsLinear;
                  return (
                    <td
                      key={b}
                      data-bits={b}
                      data-difference={d ? d.difference : ''}
                      data-significant={d ? String(d.significant) : ''}
                      className={d?.significant ? (d.difference > 0 ? 'better' : 'worse') : undefined}
                    >
                      {d
                        ? `${formatPercentPoints(d.difference, { unit: false })} ± ${(100 * d.ci95).toFixed(2)}${d.significant ? ' *' : ''}`
                        : ''}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** The float weights of a layer with the weight values the device levels realise drawn over them. */
function WeightHistogram({ report }: { report: PredictionReport }) {
  const configs = [...new Set(report.layers.map((l) => `${l.method}|${l.bits}`))];
  const [layerName, setLayerName] = useState(report.weightHistograms[0]?.name ?? '');
  const [config, setConfig] = useState(configs.find((c) => c.startsWith('mes')) ?? configs[0] ?? '');
  const histogram = report.weightHistograms.find((h) => h.name === layerName);
  const [method, bitsText] = config.split('|');
  const layer = report.layers.find(
    (l) => l.name === layerName && l.method === method && String(l.bits) === bitsText,
  );
  const color = METHODS[(method ?? 'mes') as PredictMethod]?.color ?? '#388bfd';
  const markers = useMemo(() => {
    if (!layer) return [];
    const positive = layer.candidates;
    return report.settings.scheme === 'differential' ? [...positive, ...positive.map((c) => -c)] : positive;
  }, [layer, report.settings.scheme]);
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false } },
      series: [
        { label: 'weight' },
        {
          label: 'weights',
          stroke: '#8c959f',
          fill: '#8c959f55',
          paths: uPlot.paths.bars!({ size: [1, 100] }),
          points: { show: false },
        },
      ],
      axes: themedAxes('weight value (float model)', 'weights per bin').map((axis, k) =>
        k === 1 ? { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] } : axis,
      ),
      plugins: [markersPlugin(() => markers, color)],
      legend: { show: false },
    }),
    [markers, color],
  );
  const data = useMemo(() => {
    if (!histogram) return [[], []] as uPlot.AlignedData;
    const width = (histogram.max - histogram.min) / histogram.counts.length;
    return [
      histogram.counts.map((_, k) => histogram.min + (k + 0.5) * width),
      histogram.counts,
    ] as uPlot.AlignedData;
  }, [histogram]);
  if (!histogram || configs.length === 0) return null;
  return (
    <div>
      <div className="form">
        <SelectField
          label="Layer"
          name="layer"
          value={layerName}
          onChange={setLayerName}
          options={report.weightHistograms.map((h) => ({ value: h.name, label: h.name }))}
        />
        <SelectField
          label="Mapping"
          name="mapping"
          value={config}
          onChange={setConfig}
          options={configs.map((c) => ({
            value: c,
            label: `${METHODS[c.split('|')[0] as PredictMethod]?.label ?? c} ${c.split('|')[1]}-bit`,
          }))}
        />
      </div>
      <Plot
        title={`Weights of ${layerName} and the values ${METHODS[(method ?? 'mes') as PredictMethod]?.label ?? ''} can realise (dashed)`}
        options={options}
        data={data}
        height={240}
        testId="weight-histogram"
      />
      {layer ? (
        <p className="muted">
          α = {formatNumber(layer.alpha, 4)} per siemens (weight units per S) · weight MSE{' '}
          {formatNumber(layer.mse, 3)} (expected with σ: {formatNumber(layer.expectedMse, 3)}) · largest error{' '}
          {formatNumber(layer.maxError, 3)}
          {layer.gain !== undefined ? ` · gain ${formatNumber(layer.gain, 3)}` : ''}.
          {layer.gain !== undefined && layer.gain < 0.95
            ? ' Below 1 the layer shrinks its weights on average; in a deep network the shrinkage compounds.'
            : ''}{' '}
          Linear mapping puts a uniform grid onto non-linear levels, so small weights land on levels far from
          them; MES picks the nearest realisable value instead.
        </p>
      ) : null}
    </div>
  );
}

function PredictionResults({ record, mode }: { record: PredictionRecord; mode: AppMode }) {
  const report = record.report!;
  const theme = useDocumentTheme();
  const [withCaption, setWithCaption] = useState(true);
  const caption = withCaption ? predictionCaption(report) : [];
  const title = `Accuracy vs bits: ${report.model.name} on ${report.device.profile}`;
  const accuracy = accuracyChart(report.results, title, caption, withCaption);
  const differences = differenceChart(
    report.results,
    `Paired difference to linear: ${report.model.name} on ${report.device.profile}`,
    caption,
  );
  const [notice, setNotice] = useState<string>();
  const base = exportBaseName(report);
  const charts: Array<[string, ChartSpec]> = [
    ['', accuracy],
    ...(differences ? ([['-differences', differences]] as Array<[string, ChartSpec]>) : []),
  ];
  const save = async (name: string, data: string | Uint8Array, mime: string, extension: string) => {
    const where = await saveFile(mode, name, data, mime, [extension]);
    if (where) setNotice(`Saved ${where}`);
  };
  return (
    <>
      <SvgChart spec={accuracy} testId="accuracy-chart" />
      {differences ? <SvgChart spec={differences} testId="difference-chart" /> : null}
      <ResultsTable results={report.results} />
      <p className="muted" data-testid="report-meta">
        {report.model.name} · {report.dataset.evaluated} {report.dataset.name} images ·{' '}
        {report.device.profile} ({report.device.table}
        {report.device.programming ? `, σ ${report.device.programming}` : ''}) · {report.chips.count} chip
        {report.chips.count === 1 ? '' : 's'}
        {report.chips.mode === 'until-ci'
          ? report.chips.reachedTarget
            ? ` (CIs within ±${report.chips.target} pp)`
            : report.chips.limitedBy === 'images'
              ? ` (the ${report.dataset.evaluated} test images limit the CIs; more chips would not narrow them)`
              : ` (chip budget reached before ±${report.chips.target} pp)`
          : ''}{' '}
        · {report.runtime} · {formatDuration(report.elapsedS)}
      </p>
      <div className="row">
        <label className="checkbox-line">
          <input
            type="checkbox"
            name="withCaption"
            checked={withCaption}
            onChange={(e) => setWithCaption(e.target.checked)}
          />{' '}
          Caption with the settings
        </label>
        <button
          type="button"
          onClick={() =>
            void (async () => {
              // Every chart shown: the accuracies, and the paired differences when there are any.
              for (const [suffix, spec] of charts)
                await save(
                  `${base}${suffix}.png`,
                  await svgToPngBytes(chartSvg({ ...spec, theme: 'light' })),
                  'image/png',
                  'png',
                );
            })()
          }
        >
          Charts as PNG
        </button>
        <button
          type="button"
          onClick={() =>
            void (async () => {
              for (const [suffix, spec] of charts)
                await save(
                  `${base}${suffix}.svg`,
                  chartSvg({ ...spec, theme: 'light' }),
                  'image/svg+xml',
                  'svg',
                );
            })()
          }
        >
          Charts as SVG
        </button>
        <button
          type="button"
          onClick={() => void save(`${base}.csv`, reportToCsv(report), 'text/csv', 'csv')}
        >
          Export CSV
        </button>
        <button
          type="button"
          onClick={() =>
            void save(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json', 'json')
          }
        >
          Export JSON
        </button>
        {notice ? (
          <span className="muted" role="status">
            {notice}
          </span>
        ) : null}
      </div>
      <h3>Weights and levels</h3>
      <WeightHistogram key={`${record.id}-${theme}`} report={report} />
    </>
  );
}

function bestDifference(summary: PredictionSummary): string {
  const paired = summary.results.filter((r) => r.vsLinear && r.method !== 'ideal-linear');
  if (!paired.length) return '';
  const best = paired.reduce((a, b) => (b.vsLinear!.difference > a.vsLinear!.difference ? b : a));
  return `${METHODS[best.method].label} ${best.bits}-bit ${formatPercentPoints(best.vsLinear!.difference)}${best.vsLinear!.significant ? ' *' : ''}`;
}

function History({
  items,
  selected,
  onOpen,
  onDelete,
}: {
  items: PredictionSummary[];
  selected: number | undefined;
  onOpen: (id: number) => void;
  onDelete: (id: number) => void;
}) {
  if (!items.length) return <p className="muted">No predictions yet.</p>;
  return (
    <div className="table-scroll history">
      <table className="data" data-testid="prediction-history">
        <thead>
          <tr>
            <th>#</th>
            <th>started</th>
            <th>prediction</th>
            <th>status</th>
            <th>best vs linear</th>
            <th aria-label="actions" />
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id} data-prediction={p.id} aria-selected={p.id === selected}>
              <td>{p.id}</td>
              <td>{new Date(p.createdAt).toLocaleString()}</td>
              <td>
                {p.title}
                {p.table ? <span className="muted"> · {p.table}</span> : null}
              </td>
              <td>
                <span className={`status ${p.status}`}>{p.status}</span>
              </td>
              <td>{bestDifference(p)}</td>
              <td className="row">
                <button type="button" disabled={p.status !== 'completed'} onClick={() => onOpen(p.id)}>
                  Open
                </button>
                <button
                  type="button"
                  disabled={p.status === 'running'}
                  aria-label={`Delete prediction ${p.id}`}
                  onClick={() => onDelete(p.id)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PredictPage({ initialProfile, mode }: { initialProfile: string | null; mode: AppMode }) {
  const [profiles, setProfiles] = useState<ProfileSummary[]>([]);
  const [models, setModels] = useState<Array<{ id: string; title: string; data: string }>>([]);
  const [form, setForm] = useState<FormState>(() => initialForm(initialProfile));
  const [modelFile, setModelFile] = useState<File>();
  const [dataFiles, setDataFiles] = useState<File[]>([]);
  const [running, setRunning] = useState<PredictionProgress | null>(null);
  const [history, setHistory] = useState<PredictionSummary[]>([]);
  const [record, setRecord] = useState<PredictionRecord>();
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  useEffect(() => sessionStorage.setItem(STORAGE_KEY, JSON.stringify(form)), [form]);

  const refreshHistory = useCallback(async () => {
    const list = await getApi().call['predictions.list']({ limit: 50 });
    setHistory(list);
    return list;
  }, []);

  useEffect(() => {
    const api = getApi().call;
    api['profiles.list']({}).then(
      (list) => {
        setProfiles(list);
        setForm((f) =>
          list.some((p) => p.name === f.profile)
            ? f
            : { ...f, profile: list.find((x) => !x.readOnly)?.name ?? 'AlOx/HfO2', table: '' },
        );
      },
      (e: unknown) => setError(errorText(e)),
    );
    api['resources.list']({}).then(
      (r) => setModels(r.models),
      (e: unknown) => setError(errorText(e)),
    );
    void api['predictions.active']({}).then(setRunning, () => undefined);
    void refreshHistory().then(
      (list) => {
        const last = list.find((p) => p.status === 'completed');
        if (last) void api['predictions.get']({ id: last.id }).then(setRecord, () => undefined);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [refreshHistory]);

  useApiEvent(
    'prediction.progress',
    useCallback((p: PredictionProgress) => setRunning(p), []),
  );
  useApiEvent(
    'prediction.ended',
    useCallback(
      (event: { id: number; status: string; error: string | null }) => {
        setRunning(null);
        void refreshHistory();
        if (event.status === 'completed')
          void getApi()
            .call['predictions.get']({ id: event.id })
            .then(setRecord, (e: unknown) => setError(errorText(e)));
        else if (event.status === 'failed') setError(`Prediction ${event.id} failed: ${event.error ?? ''}`);
      },
      [refreshHistory],
    ),
  );

  const cancel = useCallback(() => {
    if (running)
      void getApi()
        .call['predictions.cancel']({ id: running.id })
        .catch(() => undefined);
  }, [running]);
  // No Esc here: Esc is the instrument's Output OFF only; a prediction stops by its own button.

  const profile = profiles.find((p) => p.name === form.profile);
  const table = profile?.tables.find((t) => t.name === form.table) ?? profile?.tables[0];
  const maxBits = Math.min(8, maxBitsOf(table?.levels ?? 0));
  const bits = form.bits.filter((b) => b <= maxBits);
  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));
  const toggle = <T,>(list: readonly T[], item: T) =>
    list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

  // Checked as the user types, in the user's units (the same messages as Characterize).
  const { parsed, errors } = useMemo(() => {
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
  }, [form, bits]);

  /** The form's prediction as a request; throws with what to fix. */
  const buildRequest = async (): Promise<PredictionRequest> => {
    if (!parsed.success) throw new Error('Check the highlighted settings.');
    let model: PredictionRequest['model'];
    if (form.model === 'file') {
      if (!modelFile) throw new Error('Choose an ONNX file.');
      model = { kind: 'file', name: modelFile.name, bytes: new Uint8Array(await modelFile.arrayBuffer()) };
    } else model = { kind: 'builtin', id: form.model };
    let data: PredictionRequest['data'];
    if (dataFiles.length) {
      const bin = dataFiles.find((f) => f.name.endsWith('.bin'));
      const images = dataFiles.find((f) => /images/.test(f.name));
      const labels = dataFiles.find((f) => /labels/.test(f.name));
      if (bin) data = { kind: 'cifar10', name: bin.name, bytes: new Uint8Array(await bin.arrayBuffer()) };
      else if (images && labels)
        data = {
          kind: 'idx',
          name: images.name,
          images: new Uint8Array(await images.arrayBuffer()),
          labels: new Uint8Array(await labels.arrayBuffer()),
        };
      else
        throw new Error(
          'Choose an IDX pair (…images-idx3-ubyte and …labels-idx1-ubyte, raw or .gz) or a CIFAR-10 .bin file.',
        );
    }
    return {
      profile: form.profile,
      ...(table ? { table: table.name } : {}),
      model,
      ...(data ? { data } : {}),
      settings: parsed.data,
    };
  };

  const run = async () => {
    setError(undefined);
    if (!parsed.success) {
      setError('Check the highlighted settings.');
      return;
    }
    setStarting(true);
    try {
      const { id } = await getApi().call['predictions.start'](await buildRequest());
      setRunning({
        id,
        fraction: 0,
        message: 'starting',
        elapsedS: 0,
        remainingS: null,
        imagesPerSecond: null,
        partial: [],
      });
      sessionStorage.setItem('reram-predicted', '1');
      void refreshHistory();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStarting(false);
    }
  };

  const invalid =
    !parsed.success ||
    !form.profile ||
    form.methods.length === 0 ||
    (bits.length === 0 && form.methods.some((m) => m !== 'float'));
  const partialChart =
    running && running.partial.length
      ? accuracyChart(running.partial, `Accuracy so far (prediction ${running.id})`)
      : undefined;

  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="predict-title">
        <h2 id="predict-title">Predict accuracy on a ReRAM crossbar</h2>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <SelectField
            label="Device profile"
            name="profile"
            value={form.profile}
            onChange={(value) => set({ profile: value, table: '' })}
            options={profiles.map((p) => ({
              value: p.name,
              label: `${p.name}${p.readOnly ? ' (built-in)' : ''}`,
            }))}
            wide
          />
          {profile && profile.tables.length > 1 ? (
            <SelectField
              label="Level table"
              name="table"
              value={table?.name ?? ''}
              onChange={(value) => set({ table: value })}
              options={profile.tables.map((t) => ({
                value: t.name,
                label: `${t.programming === 'write-verify' ? 'write-verify' : t.programming === 'open-loop' ? 'pulse train (open loop)' : t.name} · ${t.levels} levels`,
              }))}
              hint="Which σ: after write-verify, or open-loop pulsing"
              wide
            />
          ) : (
            <p className="muted wide">{table ? `${table.levels} levels in '${table.name}'.` : ''}</p>
          )}
          <SelectField
            label="Network"
            name="model"
            value={form.model}
            onChange={(value) => set({ model: value })}
            options={[
              ...models.map((m) => ({ value: m.id, label: m.title })),
              { value: 'file', label: 'ONNX file…' },
            ]}
            hint={
              form.model === 'file'
                ? undefined
                : `Test set: its own (${models.find((m) => m.id === form.model)?.data ?? '…'})`
            }
          />
          {form.model === 'file' ? (
            <label className="field">
              <span>ONNX file</span>
              <input
                type="file"
                accept=".onnx"
                aria-label="ONNX model file"
                onChange={(e) => setModelFile(e.target.files?.[0])}
              />
            </label>
          ) : null}
          <details className="wide">
            <summary>Other test data</summary>
            <label className="field">
              <span>An IDX pair or a CIFAR-10 .bin</span>
              <input
                type="file"
                multiple
                aria-label="Test data files"
                onChange={(e) => setDataFiles([...(e.target.files ?? [])])}
              />
            </label>
          </details>
          <fieldset className="wide">
            <legend>Methods</legend>
            <div className="checks">
              {PREDICT_METHODS.map((m) => (
                <label key={m} title={METHODS[m].description}>
                  <input
                    type="checkbox"
                    name={`method-${m}`}
                    checked={form.methods.includes(m)}
                    onChange={() => set({ methods: toggle(form.methods, m) })}
                  />{' '}
                  <span className="dot" style={{ background: METHODS[m].color }} aria-hidden="true" />{' '}
                  {METHODS[m].label}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset className="wide">
            <legend>Bits per cell</legend>
            <div className="checks">
              {Array.from({ length: maxBits }, (_, k) => k + 1).map((b) => (
                <label key={b}>
                  <input
                    type="checkbox"
                    name={`bits-${b}`}
                    checked={bits.includes(b)}
                    onChange={() => set({ bits: toggle(bits, b) })}
                  />{' '}
                  {b} ({2 ** b} levels)
                </label>
              ))}
            </div>
            {table ? (
              <span className="muted" data-testid="bits-note">
                This table has {table.levels} levels: up to {maxBits} bit{maxBits === 1 ? '' : 's'}.
              </span>
            ) : null}
          </fieldset>
          <SchemaFields
            fields={SETTINGS_FIELDS}
            values={form.values}
            onChange={(key, value) => setForm((f) => ({ ...f, values: { ...f.values, [key]: value } }))}
            errors={errors}
            idPrefix="predict"
          />
          <NumberField
            label="Tile rows"
            name="tileRows"
            value={form.tileRows}
            onChange={(v) => set({ tileRows: v })}
            error={errors.tile}
          />
          <NumberField
            label="Tile columns"
            name="tileCols"
            value={form.tileCols}
            onChange={(v) => set({ tileCols: v })}
          />
          <div className="sticky-actions wide">
            <button type="submit" className="primary" disabled={Boolean(running) || invalid || starting}>
              Run prediction
            </button>
            <button type="button" onClick={cancel} disabled={!running}>
              Cancel
            </button>
          </div>
        </form>
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </section>
      <div className="results-column">
        {running ? (
          <section className="card" aria-labelledby="running-title" data-testid="prediction-running">
            <h2 id="running-title">Prediction {running.id} running</h2>
            <div className="progress" aria-live="polite">
              <progress
                max={1000}
                value={Math.round(running.fraction * 1000)}
                aria-label="Prediction progress"
              />
              <span className="muted" data-testid="progress-text">
                {Math.round(100 * running.fraction)} % · {formatDuration(running.elapsedS)} elapsed
                {running.remainingS !== null ? ` · ${formatDuration(running.remainingS)} left` : ''}
                {running.imagesPerSecond !== null
                  ? ` · ${formatNumber(running.imagesPerSecond, 3)} images/s`
                  : ''}{' '}
                · {running.message}
              </span>
            </div>
            <p className="muted">It keeps running if you leave this page; Esc or Cancel stops it.</p>
            {partialChart ? <SvgChart spec={partialChart} testId="partial-chart" /> : null}
          </section>
        ) : null}
        <section className="card" aria-labelledby="results-title">
          <h2 id="results-title">{record ? `Prediction ${record.id}: ${record.title}` : 'Results'}</h2>
          {record?.report ? (
            <PredictionResults key={record.id} record={record} mode={mode} />
          ) : (
            <p className="muted">Run a prediction to compare linear mapping with MES on this device.</p>
          )}
        </section>
        <DriftTimeline buildRequest={buildRequest} busy={running !== null || starting || invalid} />
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <History
            items={history}
            selected={record?.id}
            onOpen={(id) =>
              void getApi()
                .call['predictions.get']({ id })
                .then(setRecord, (e: unknown) => setError(errorText(e)))
            }
            onDelete={(id) => {
              if (!confirm(`Delete prediction ${id}? Its report is removed from the database.`)) return;
              void getApi()
                .call['predictions.delete']({ id })
                .then(() => {
                  if (record?.id === id) setRecord(undefined);
                  return refreshHistory();
                })
                .catch((e: unknown) => setError(errorText(e)));
            }}
          />
        </section>
      </div>
    </div>
  );
}
