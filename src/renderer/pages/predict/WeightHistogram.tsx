import { useMemo, useState } from 'react';
import uPlot from 'uplot';
import { METHODS, type PredictMethod } from '../../../shared/quant/methods';
import { type PredictionReport } from '../../../shared/rca/report';
import { formatNumber } from '../../../shared/units';
import { SelectField } from '../../components/Field';
import { markersPlugin, Plot, themedAxes } from '../../components/Plot';

/** The float weights of a layer with the weight values the device levels realise drawn over them. */
export function WeightHistogram({ report }: { report: PredictionReport }) {
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
    return report.settings.mapping.scheme === 'differential'
      ? [...positive, ...positive.map((c) => -c)]
      : positive;
  }, [layer, report.settings.mapping.scheme]);
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
