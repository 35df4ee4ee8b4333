/**
 * Statistics across the connected sample's cells: pick a figure (HRS, LRS, on/off, NL, V_form,
 * V_SET, V_RESET), see its cumulative distribution and the die map coloured by it with a colour
 * scale, the outliers named, and every figure's quartiles. Exports carry the sample and the rule.
 */
import { storedDieCells } from '../components/DieMap';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { InstrumentStatus } from '../../shared/api';
import { sampleLabel } from '../../shared/cell-guard';
import { cdfChart, chipCsv, dieMapSvg } from '../../shared/charts/chip';
import { chartSvg, type ChartSpec } from '../../shared/charts/svg';
import { CHIP_FIGURE_IDS, CHIP_FIGURES, type ChipFigure, type ChipStatistics } from '../../shared/chip-stats';
import { fileSafeName } from '../../shared/text';
import { formatNumber, formatSI } from '../../shared/units';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorBanner, SelectField } from '../components/Field';
import { SvgChart, svgToPngBytes, useDocumentTheme } from '../components/SvgChart';
import { errorText, useApiEvent, useApiQuery } from '../hooks/api';
import { saveFile, type AppMode } from '../files';
import { ChipProfileBuilder } from './ChipProfileBuilder';

const format = (figure: ChipFigure, value: number) =>
  CHIP_FIGURES[figure].unit ? formatSI(value, CHIP_FIGURES[figure].unit) : formatNumber(value, 3);

/** Every figure over the cells that have it: count, median, quartiles, range and outliers. */
function FiguresTable({
  stats,
  figure,
  setFigure,
}: {
  stats: ChipStatistics;
  figure: ChipFigure;
  setFigure(figure: ChipFigure): void;
}) {
  const columns: Array<Column<ChipFigure>> = [
    {
      header: 'Figure',
      rowHeader: true,
      cell: (id) => (
        <button type="button" className="link-button" onClick={() => setFigure(id)}>
          {CHIP_FIGURES[id].short}
        </button>
      ),
    },
    { header: 'Cells', cell: (id) => stats.figures[id]?.n ?? 0 },
    { header: 'Median', cell: (id) => figureText(stats, id, (d) => format(id, d.median)) },
    {
      header: 'Quartiles',
      cell: (id) => figureText(stats, id, (d) => `${format(id, d.q1)} – ${format(id, d.q3)}`),
    },
    {
      header: 'Range',
      cell: (id) => figureText(stats, id, (d) => `${format(id, d.min)} – ${format(id, d.max)}`),
    },
    {
      header: 'Outliers',
      cell: (id) => figureText(stats, id, (d) => d.outliers.map((o) => `cell ${o.cell}`).join(', ') || '—'),
    },
  ];
  return (
    <DataTable
      columns={columns}
      rows={CHIP_FIGURE_IDS}
      rowKey={(id) => id}
      rowProps={(id) => ({ 'aria-selected': id === figure })}
      testId="figures-table"
      caption="Every figure over the cells that have it"
    />
  );
}

/** A figure's summary in words, or a dash where no cell has the figure. */
function figureText(
  stats: ChipStatistics,
  id: ChipFigure,
  text: (summary: NonNullable<ChipStatistics['figures'][ChipFigure]>) => string,
): string {
  const summary = stats.figures[id];
  return summary ? text(summary) : '—';
}

/** The cells as CSV, and the distribution and die map as SVG or PNG, named by sample and figure. */
function ExportButtons({
  stats,
  figure,
  madeAt,
  cdf,
  save,
}: {
  stats: ChipStatistics;
  figure: ChipFigure;
  madeAt: string;
  cdf: ChartSpec;
  save(name: string, data: string | Uint8Array, mime: string, extension: string): Promise<void>;
}) {
  const base = fileSafeName(`${sampleLabel(stats.sample)}-${CHIP_FIGURES[figure].short}`);
  return (
    <div className="row">
      <button
        type="button"
        onClick={() => void save(`${base}.csv`, chipCsv(stats, madeAt), 'text/csv', 'csv')}
      >
        Cells as CSV
      </button>
      {(
        [
          ['Distribution', 'cdf', () => chartSvg({ ...cdf, theme: 'light' })],
          ['Die map', 'die-map', () => dieMapSvg(stats, figure, { madeAt, theme: 'light' })],
        ] as const
      ).flatMap(([label, suffix, svg]) => [
        <button
          key={`${suffix}-svg`}
          type="button"
          onClick={() => void save(`${base}-${suffix}.svg`, svg(), 'image/svg+xml', 'svg')}
        >
          {label} as SVG
        </button>,
        <button
          key={`${suffix}-png`}
          type="button"
          onClick={() =>
            void (async () => save(`${base}-${suffix}.png`, await svgToPngBytes(svg()), 'image/png', 'png'))()
          }
        >
          {label} as PNG
        </button>,
      ])}
    </div>
  );
}

export function StatisticsPage({ status, mode }: { status: InstrumentStatus | undefined; mode: AppMode }) {
  const [figure, setFigure] = useState<ChipFigure>('lrs');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const theme = useDocumentTheme();
  const [storedCells] = useState(storedDieCells);
  const cells = status?.dieCells ?? status?.simulator?.cells ?? storedCells;

  // Read again for another sample, and when a run ends.
  const sample = `${status?.sample?.wafer ?? ''}/${status?.sample?.die ?? ''}`;
  const query = useApiQuery('stats.chip', { cells }, { key: `${JSON.stringify(cells)} ${sample}` });
  const stats = query.data;
  const { reload } = query;
  useApiEvent(
    'run.ended',
    useCallback(() => reload(), [reload]),
  );
  // When the statistics were read: the shown figures and their exports say the same.
  const [madeAt, setMadeAt] = useState('');
  useEffect(() => {
    if (stats) setMadeAt(new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  }, [stats]);

  const cdf = useMemo(() => (stats ? cdfChart(stats, figure, madeAt) : undefined), [stats, figure, madeAt]);
  const map = useMemo(
    () => (stats ? dieMapSvg(stats, figure, { madeAt, theme }) : undefined),
    [stats, figure, madeAt, theme],
  );
  const save = async (name: string, data: string | Uint8Array, mime: string, extension: string) => {
    try {
      const where = await saveFile(mode, name, data, mime, [extension]);
      if (where) setNotice(`Saved ${where}`);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const distribution = stats?.figures[figure] ?? null;

  return (
    <section className="card" aria-labelledby="statistics-title">
      <h2 id="statistics-title">Statistics across the cells</h2>
      <ErrorBanner error={error ?? query.error} onDismiss={() => setError(undefined)} />
      <p className="muted" data-testid="stats-sample">
        {stats
          ? `${sampleLabel(stats.sample)}: ${stats.cells.length} of ${stats.cellCount} cells have figures.`
          : 'Loading…'}{' '}
        Figures come from each cell's latest fit, its forming, and its latest SET and RESET sweeps.
      </p>
      <div className="row">
        <SelectField
          label="Figure"
          name="chipFigure"
          value={figure}
          onChange={setFigure}
          options={CHIP_FIGURE_IDS.map((id) => ({ value: id, label: CHIP_FIGURES[id].label }))}
        />
      </div>
      {stats && stats.cells.length === 0 ? (
        <p data-testid="stats-empty">
          No cell of this sample has a figure yet: form cells and run pulse trains (Characterize or Queue),
          then come back.
        </p>
      ) : null}
      {stats && cdf && map ? (
        <>
          <div className="chip-figures">
            <figure
              className="svg-chart"
              data-testid="die-map-chart"
              aria-label={`Die map: ${CHIP_FIGURES[figure].label}`}
              // Built from our own strings, every text escaped (escapeXml).
              dangerouslySetInnerHTML={{ __html: map }}
            />
            <SvgChart spec={cdf} testId="cdf-chart" />
          </div>
          <p data-testid="outliers">
            {distribution === null
              ? `No cell has a ${CHIP_FIGURES[figure].short} yet.`
              : distribution.outliers.length
                ? `Outliers: ${distribution.outliers.map((o) => `cell ${o.cell} (${format(figure, o.value)}, robust z ${o.robustZ.toFixed(1)})`).join('; ')}.`
                : `No outliers among ${distribution.n} cells.`}
          </p>
          <ExportButtons stats={stats} figure={figure} madeAt={madeAt} cdf={cdf} save={save} />
          {notice ? <p className="muted">{notice}</p> : null}
          <FiguresTable stats={stats} figure={figure} setFigure={setFigure} />
          <ChipProfileBuilder cells={cells} defaultName={`${sampleLabel(stats.sample)} chip`} />
        </>
      ) : null}
    </section>
  );
}
