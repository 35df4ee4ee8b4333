/** One finished prediction: charts, tables, the weight mapping and its exports. */
import { fileSafeName } from '../../../shared/text';
import { useState } from 'react';
import type { PredictionRecord } from '../../../shared/api';
import { accuracyChart, differenceChart, predictionCaption } from '../../../shared/charts/prediction';
import { chartSvg, type ChartSpec } from '../../../shared/charts/svg';
import { reportToCsv, type PredictionReport } from '../../../shared/rca/report';
import { formatDuration } from '../../components/Field';
import { SvgChart, svgToPngBytes, useDocumentTheme } from '../../components/SvgChart';
import { saveFile, type AppMode } from '../../files';
import { ResultsTable } from './ResultsTable';
import { WeightHistogram } from './WeightHistogram';

function exportBaseName(report: PredictionReport): string {
  const when = report.createdAt.slice(0, 16).replace(/-/g, '').replace('T', '-').replace(':', '');
  return `prediction-${fileSafeName(report.device.profile)}-${fileSafeName(report.model.name)}-${when}`;
}
export function PredictionResults({ record, mode }: { record: PredictionRecord; mode: AppMode }) {
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
