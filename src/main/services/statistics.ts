/**
 * Statistics across the cells of one sample: each cell's figures from its stored runs (the die
 * map's fits, forming, and the latest SET/RESET sweeps), and each figure's distribution.
 */
import type { SampleKey } from '../../shared/cell-guard';
import {
  CHIP_FIGURES,
  distributionOf,
  median,
  type CellFigures,
  type ChipFigure,
  type ChipStatistics,
  type Distribution,
} from '../../shared/chip-stats';

export { CHIP_FIGURES, type ChipFigure, type ChipStatistics };
import type { Store } from '../store/store';
import { cellSummaries } from './cells';

export interface SampleRun {
  id: number;
  cell: number;
  procedure: string;
  summary_json: string | null;
}

/** A sample's completed, visible runs on cells, of these procedures, oldest first. */
export function completedSampleRuns(
  store: Store,
  sample: SampleKey,
  procedures: readonly string[],
): SampleRun[] {
  return store.db
    .prepare(
      `SELECT runs.id, runs.cell, procedure, summary_json FROM runs
       JOIN samples ON samples.id = runs.sample_id AND samples.wafer = ? AND samples.die = ?
       WHERE procedure IN (${procedures.map(() => '?').join(', ')}) AND status = 'completed' AND hidden = 0
         AND runs.cell IS NOT NULL
       ORDER BY runs.id`,
    )
    .all(sample.wafer, sample.die, ...procedures) as SampleRun[];
}

/** Per cell, from its latest completed run of each kind: V_SET, V_RESET, cycles to failure, drift ν. */
function runFigures(store: Store, sample: SampleKey): Map<number, Partial<Record<ChipFigure, number>>> {
  const rows = completedSampleRuns(store, sample, ['set', 'reset', 'endurance', 'retention']);
  const out = new Map<number, Partial<Record<ChipFigure, number>>>();
  for (const row of rows) {
    const summary = row.summary_json
      ? (JSON.parse(row.summary_json) as {
          switchingVoltage?: unknown;
          cyclesToFailure?: unknown;
          driftNu?: unknown;
        })
      : {};
    const entry = out.get(row.cell) ?? {};
    if (row.procedure === 'retention') {
      const nus = Array.isArray(summary.driftNu)
        ? summary.driftNu.filter((x): x is number => typeof x === 'number')
        : [];
      if (nus.length) entry.drift = median(nus);
    } else if (row.procedure === 'endurance') {
      // A later run without a failure replaces an earlier failure: the latest run speaks.
      if (typeof summary.cyclesToFailure === 'number') entry.endurance = summary.cyclesToFailure;
      else delete entry.endurance;
    } else if (typeof summary.switchingVoltage === 'number')
      entry[row.procedure === 'set' ? 'vSet' : 'vReset'] = summary.switchingVoltage;
    out.set(row.cell, entry);
  }
  return out;
}

export function chipStatistics(store: Store, sample: SampleKey, cellCount: number): ChipStatistics {
  const fromRuns = runFigures(store, sample);
  const cells: CellFigures[] = cellSummaries(store, cellCount, sample)
    .map((c) => {
      const values: Partial<Record<ChipFigure, number>> = {};
      if (c.gMin !== null) values.hrs = c.gMin;
      if (c.gMax !== null) values.lrs = c.gMax;
      if (c.gMin !== null && c.gMax !== null && c.gMin > 0) values.onOff = c.gMax / c.gMin;
      if (c.nl !== null) values.nl = c.nl;
      if (c.formingVoltage !== null) values.vForm = c.formingVoltage;
      Object.assign(values, fromRuns.get(c.cell) ?? {});
      return { cell: c.cell, values };
    })
    .filter((c) => Object.keys(c.values).length > 0);
  const figures = Object.fromEntries(
    (Object.keys(CHIP_FIGURES) as ChipFigure[]).map((figure) => [
      figure,
      distributionOf(
        cells.flatMap((c) =>
          c.values[figure] === undefined ? [] : [{ cell: c.cell, value: c.values[figure] }],
        ),
      ),
    ]),
  ) as Record<ChipFigure, Distribution | null>;
  return { sample, cellCount, cells, figures };
}
