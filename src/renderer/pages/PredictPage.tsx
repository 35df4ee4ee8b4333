import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import type { ProfileSummary } from '../../shared/profile/schema';
import {
  PREDICT_METHODS,
  reportToCsv,
  type MethodResult,
  type PredictionReport,
  type PredictSettingsInput,
} from '../../shared/rca/report';
import { getApi } from '../api/client';
import { ErrorBanner, NumberField, Progress, SelectField } from '../components/Field';
import { markersPlugin, METHOD_COLORS, Plot, themedAxes } from '../components/Plot';
import { errorText } from '../hooks/api';
import { dataUrlToBytes, saveFile, type AppMode } from '../files';
import { startPredict, type PredictHandle } from '../worker/predict-client';
import type { DataSource } from '../worker/protocol';

const METHOD_LABELS: Record<string, string> = {
  float: 'float',
  'ideal-linear': 'ideal-linear',
  linear: 'linear (baseline)',
  mes: 'MES',
};

function AccuracyPlot({
  results,
  onPlot,
}: {
  results: MethodResult[];
  onPlot: (u: uPlot | undefined) => void;
}) {
  const bits = [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort(
    (a, b) => a - b,
  );
  const methods = PREDICT_METHODS.filter((m) => m !== 'float' && results.some((r) => r.method === m));
  const float = results.find((r) => r.method === 'float');
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(() => {
    const series: uPlot.Series[] = [{ label: 'bits' }];
    const bands: uPlot.Band[] = [];
    for (const m of methods) {
      const color = METHOD_COLORS[m]!;
      const index = series.length;
      series.push({
        label: METHOD_LABELS[m]!,
        stroke: color,
        width: 2,
        points: { show: true, size: 6, fill: color },
      });
      series.push({ label: `${m} upper`, stroke: 'transparent', points: { show: false } });
      series.push({ label: `${m} lower`, stroke: 'transparent', points: { show: false } });
      bands.push({ series: [index + 1, index + 2], fill: `${color}33` });
    }
    if (float)
      series.push({
        label: 'float',
        stroke: METHOD_COLORS.float!,
        width: 2,
        dash: [6, 4],
        points: { show: false },
      });
    return {
      scales: {
        x: { time: false },
        y: { range: (_u, min, max) => [Math.max(0, Math.min(min, 90) - 2), Math.min(100, max + 1)] },
      },
      series,
      bands,
      axes: themedAxes('bits per cell', 'top-1 accuracy (%)').map((axis, k) =>
        k === 0 ? { ...axis, incrs: [1], values: (_u: uPlot, v: number[]) => v.map(String) } : axis,
      ),
      legend: { show: false },
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [methods.join(','), Boolean(float)]);
  const data = useMemo(() => {
    const columns: Array<Array<number | null>> = [bits];
    for (const m of methods) {
      const of = (b: number) => results.find((r) => r.method === m && r.bits === b);
      columns.push(bits.map((b) => (of(b) ? 100 * of(b)!.mean : null)));
      columns.push(bits.map((b) => (of(b) ? 100 * (of(b)!.mean + of(b)!.ci95) : null)));
      columns.push(bits.map((b) => (of(b) ? 100 * (of(b)!.mean - of(b)!.ci95) : null)));
    }
    if (float) columns.push(bits.map(() => 100 * float.mean));
    return columns as uPlot.AlignedData;
  }, [results, bits, methods, float]);
  if (bits.length === 0) return null;
  return (
    <>
      <Plot
        title="Accuracy against bits per cell, mean with 95 % confidence band"
        options={options}
        data={data}
        height={320}
        testId="accuracy-plot"
        onPlot={onPlot}
      />
      <div className="row" aria-hidden="true">
        {[...methods, ...(float ? ['float'] : [])].map((m) => (
          <span key={m} className="badge">
            <span className="dot" style={{ background: METHOD_COLORS[m] }} />
            {METHOD_LABELS[m]}
          </span>
        ))}
      </div>
    </>
  );
}

function ResultsTable({ results }: { results: MethodResult[] }) {
  const bits = [...new Set(results.map((r) => r.bits).filter((b): b is number => b !== null))].sort(
    (a, b) => a - b,
  );
  const methods = PREDICT_METHODS.filter((m) => results.some((r) => r.method === m));
  return (
    <table className="data" data-testid="results">
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
            <td>{METHOD_LABELS[m]}</td>
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
          stroke: '#6b7280',
          fill: '#6b728055',
          paths: uPlot.paths.bars!({ size: [1, 100] }),
          points: { show: false },
        },
      ],
      axes: themedAxes('weight value (float model)', 'count'),
      plugins: [markersPlugin(() => markers, METHOD_COLORS[method ?? 'mes'] ?? '#1f6feb')],
      legend: { show: false },
    }),
    [markers, method],
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
            label: `${METHOD_LABELS[c.split('|')[0]!]} ${c.split('|')[1]}-bit`,
          }))}
        />
      </div>
      <Plot
        title="Float weight histogram with the realisable weight values as dashed lines"
        options={options}
        data={data}
        height={240}
        testId="weight-histogram"
      />
      {layer ? (
        <p className="muted">
          α = {layer.alpha.toExponential(3)} weight/S · weight MSE {layer.mse.toExponential(2)} · max error{' '}
          {layer.maxError.toExponential(2)}. Dashed lines: the weight values this mapping can realise. Linear
          mapping puts a uniform grid onto non-linear levels, so small weights land on levels far from them;
          MES picks the nearest realisable value instead.
        </p>
      ) : null}
    </div>
  );
}

export function PredictPage({ initialProfile, mode }: { initialProfile: string | null; mode: AppMode }) {
  const [profiles, setProfiles] = useState<ProfileSummary[]>([]);
  const [models, setModels] = useState<Array<{ id: string; title: string; data: string }>>([]);
  const [profile, setProfile] = useState(initialProfile ?? '');
  const [model, setModel] = useState('lenet5');
  const [modelFile, setModelFile] = useState<File>();
  const [dataFiles, setDataFiles] = useState<File[]>([]);
  const [methods, setMethods] = useState<string[]>(['float', 'ideal-linear', 'linear', 'mes']);
  const [bits, setBits] = useState<number[]>([2, 3, 4, 5]);
  const [scheme, setScheme] = useState<'differential' | 'bias'>('differential');
  const [scale, setScale] = useState<'mse' | 'max'>('mse');
  const [fields, setFields] = useState({
    tileRows: '128',
    tileCols: '128',
    adc: '',
    dac: '',
    readNoise: '0',
    sigmaScale: '1',
    trials: '3',
    seed: '1',
    limit: '500',
    calibration: '100',
  });
  const [progress, setProgress] = useState<{ fraction: number; message: string }>();
  const [partial, setPartial] = useState<MethodResult[]>([]);
  const [report, setReport] = useState<PredictionReport>();
  const [error, setError] = useState<string>();
  const handle = useRef<PredictHandle | undefined>(undefined);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    const api = getApi().call;
    api['profiles.list']({}).then(
      (list) => {
        setProfiles(list);
        setProfile((p) => p || list.find((x) => !x.readOnly)?.name || 'AlOx/HfO2');
      },
      (e: Error) => setError(e.message),
    );
    api['resources.list']({}).then(
      (r) => setModels(r.models),
      (e: Error) => setError(e.message),
    );
    return () => handle.current?.cancel();
  }, []);

  const setField = (key: keyof typeof fields) => (text: string) => setFields((f) => ({ ...f, [key]: text }));
  const toggle = <T,>(list: T[], item: T) =>
    list.includes(item) ? list.filter((x) => x !== item) : [...list, item];

  const run = async () => {
    setError(undefined);
    setReport(undefined);
    setPartial([]);
    try {
      const api = getApi().call;
      const device = await api['profiles.get']({ name: profile });
      let modelBytes: Uint8Array;
      let modelName: string;
      let data: DataSource;
      if (model === 'file') {
        if (!modelFile) throw new Error('Choose an ONNX file.');
        modelBytes = new Uint8Array(await modelFile.arrayBuffer());
        modelName = modelFile.name;
      } else {
        const m = await api['resources.model']({ id: model });
        [modelBytes, modelName] = [m.bytes, m.name];
      }
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
      } else {
        const id = models.find((m) => m.id === model)?.data ?? 'mnist';
        const d = await api['resources.dataset']({ id });
        data =
          d.format === 'idx'
            ? { kind: 'idx', name: d.name, images: d.files[0]!, labels: d.files[1]! }
            : { kind: 'cifar10', name: d.name, bytes: d.files[0]! };
      }
      const num = (text: string) => Number(text);
      const settings: PredictSettingsInput = {
        methods: methods as PredictSettingsInput['methods'],
        bits: [...bits].sort((a, b) => a - b),
        scheme,
        scale,
        tile: { rows: num(fields.tileRows), cols: num(fields.tileCols) },
        adcBits: fields.adc.trim() ? num(fields.adc) : null,
        dacBits: fields.dac.trim() ? num(fields.dac) : null,
        readNoise: num(fields.readNoise),
        sigmaScale: num(fields.sigmaScale),
        trials: num(fields.trials),
        seed: num(fields.seed),
        calibration: num(fields.calibration),
        ...(fields.limit.trim() ? { limit: num(fields.limit) } : {}),
      };
      setProgress({ fraction: 0, message: 'starting' });
      handle.current = startPredict(
        { model: modelBytes, modelName, data, table: device.tables[0]!, profileName: device.name, settings },
        (fraction, message, results) => {
          setProgress({ fraction, message });
          setPartial(results);
        },
      );
      const result = await handle.current.result;
      setReport(result);
      sessionStorage.setItem('reram-predicted', '1');
    } catch (e) {
      setError(errorText(e));
    } finally {
      handle.current = undefined;
      setProgress(undefined);
    }
  };

  const running = progress !== undefined;
  const results = report?.results ?? partial;
  const invalid =
    methods.length === 0 || (bits.length === 0 && methods.some((m) => m !== 'float')) || !profile;
  return (
    <div className="grid2">
      <section className="card" aria-labelledby="predict-title">
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
            value={profile}
            onChange={setProfile}
            options={profiles.map((p) => ({
              value: p.name,
              label: `${p.name}${p.readOnly ? ' (built-in)' : ''} · ${p.tables[0]?.levels ?? 0} levels`,
            }))}
            wide
          />
          <SelectField
            label="Network"
            name="model"
            value={model}
            onChange={setModel}
            options={[
              ...models.map((m) => ({ value: m.id, label: m.title })),
              { value: 'file', label: 'ONNX file…' },
            ]}
          />
          {model === 'file' ? (
            <label className="field">
              <span>ONNX file</span>
              <input
                type="file"
                accept=".onnx"
                aria-label="ONNX model file"
                onChange={(e) => setModelFile(e.target.files?.[0])}
              />
            </label>
          ) : (
            <p className="muted">
              Test set: the model&apos;s built-in one
              {models.find((m) => m.id === model) ? ` (${models.find((m) => m.id === model)!.data})` : ''}.
            </p>
          )}
          <label className="field wide">
            <span>Other test data (optional): an IDX pair or a CIFAR-10 .bin</span>
            <input
              type="file"
              multiple
              aria-label="Test data files"
              onChange={(e) => setDataFiles([...(e.target.files ?? [])])}
            />
          </label>
          <fieldset className="wide">
            <legend>Methods</legend>
            <div className="row">
              {PREDICT_METHODS.map((m) => (
                <label key={m} className="row">
                  <input
                    type="checkbox"
                    name={`method-${m}`}
                    checked={methods.includes(m)}
                    onChange={() => setMethods((l) => toggle(l, m))}
                  />{' '}
                  {METHOD_LABELS[m]}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset className="wide">
            <legend>Bits per cell</legend>
            <div className="row">
              {[1, 2, 3, 4, 5, 6, 7, 8].map((b) => (
                <label key={b} className="row">
                  <input
                    type="checkbox"
                    name={`bits-${b}`}
                    checked={bits.includes(b)}
                    onChange={() => setBits((l) => toggle(l, b))}
                  />{' '}
                  {b}
                </label>
              ))}
            </div>
          </fieldset>
          <SelectField
            label="Mapping"
            name="scheme"
            value={scheme}
            onChange={setScheme}
            options={[
              { value: 'differential', label: 'Differential pair (G⁺ − G⁻)' },
              { value: 'bias', label: 'Bias column (G − G_ref)' },
            ]}
          />
          <SelectField
            label="MES scale"
            name="scale"
            value={scale}
            onChange={setScale}
            options={[
              { value: 'mse', label: 'Least squared error' },
              { value: 'max', label: 'Max weight' },
            ]}
          />
          <NumberField
            label="Tile rows"
            name="tileRows"
            value={fields.tileRows}
            onChange={setField('tileRows')}
          />
          <NumberField
            label="Tile columns"
            name="tileCols"
            value={fields.tileCols}
            onChange={setField('tileCols')}
          />
          <NumberField
            label="ADC bits"
            name="adc"
            value={fields.adc}
            onChange={setField('adc')}
            hint="blank: ideal read-out"
          />
          <NumberField
            label="DAC bits"
            name="dac"
            value={fields.dac}
            onChange={setField('dac')}
            hint="blank: ideal inputs"
          />
          <NumberField
            label="Read noise σ"
            name="readNoise"
            value={fields.readNoise}
            onChange={setField('readNoise')}
            hint="relative, per read"
          />
          <NumberField
            label="Programming σ scale"
            name="sigmaScale"
            value={fields.sigmaScale}
            onChange={setField('sigmaScale')}
            hint="× the measured σ; 0 isolates quantization"
          />
          <NumberField
            label="Chips (trials)"
            name="trials"
            value={fields.trials}
            onChange={setField('trials')}
          />
          <NumberField label="Seed" name="seed" value={fields.seed} onChange={setField('seed')} />
          <NumberField
            label="Test images"
            name="limit"
            value={fields.limit}
            onChange={setField('limit')}
            hint="blank: the whole test set"
          />
          <NumberField
            label="Calibration images"
            name="calibration"
            value={fields.calibration}
            onChange={setField('calibration')}
            hint="ADC/DAC ranges"
          />
          <div className="row wide">
            <button type="submit" className="primary" disabled={running || invalid}>
              Run prediction
            </button>
            <button type="button" onClick={() => handle.current?.cancel()} disabled={!running}>
              Cancel
            </button>
          </div>
        </form>
        {running ? (
          <Progress
            label="Prediction progress"
            done={Math.round(progress.fraction * 1000)}
            total={1000}
            message={progress.message}
          />
        ) : null}
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </section>
      <section className="card" aria-labelledby="results-title">
        <h2 id="results-title">Results</h2>
        {results.length === 0 ? (
          <p className="muted">Run a prediction to compare linear mapping with MES on this device.</p>
        ) : null}
        <AccuracyPlot results={results} onPlot={(u) => (plot.current = u)} />
        {results.length ? <ResultsTable results={results} /> : null}
        {report ? (
          <>
            <p className="muted" data-testid="report-meta">
              {report.model.name} · {report.dataset.evaluated} {report.dataset.name} images ·{' '}
              {report.device.profile} · {report.runtime} · {report.elapsedS.toFixed(1)} s
            </p>
            <div className="row">
              <button
                type="button"
                onClick={() =>
                  saveFile(
                    mode,
                    'prediction.json',
                    `${JSON.stringify(report, null, 2)}\n`,
                    'application/json',
                    ['json'],
                  )
                }
              >
                Export JSON
              </button>
              <button
                type="button"
                onClick={() => saveFile(mode, 'prediction.csv', reportToCsv(report), 'text/csv', ['csv'])}
              >
                Export CSV
              </button>
              <button
                type="button"
                disabled={!plot.current}
                onClick={() =>
                  plot.current &&
                  saveFile(
                    mode,
                    'accuracy.png',
                    dataUrlToBytes(plot.current.ctx.canvas.toDataURL('image/png')),
                    'image/png',
                    ['png'],
                  )
                }
              >
                Plot as PNG
              </button>
            </div>
            <h3 style={{ fontSize: '0.95rem' }}>Weights and levels</h3>
            <WeightHistogram report={report} />
          </>
        ) : null}
      </section>
    </div>
  );
}
