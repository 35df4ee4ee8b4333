/**
 * What the recorded runs say about each cell of a sample: formed or pristine. Hidden runs count
 * (hiding a run does not un-form the cell). A forming run that ended early without a summary
 * (killed mid-ramp) is read from its stored points with the procedure's own forming-event rule.
 */
import type { Database } from 'better-sqlite3';
import { isFormingEvent, type CellState, type SampleKey } from '../../shared/cell-guard';
import { POINT_FLAGS } from '../../shared/run';

interface FormingRow {
  id: number;
  cell: number;
  params_json: string;
  summary_json: string | null;
}

export class CellRepository {
  constructor(private readonly db: Database) {}

  /** The state of each of `cells` on `sample`. */
  states(sample: SampleKey, cells: readonly number[]): Map<number, CellState> {
    const result = new Map<number, CellState>(
      cells.map((cell) => [cell, { cell, formed: false, formingRunId: null, formingVoltage: null }]),
    );
    if (!cells.length) return result;
    const rows = this.db
      .prepare(
        `SELECT runs.id, runs.cell, runs.params_json, runs.summary_json FROM runs
         JOIN samples ON samples.id = runs.sample_id
         WHERE runs.procedure = 'forming' AND samples.wafer = ? AND samples.die = ?
           AND runs.cell IN (SELECT value FROM json_each(?))
         ORDER BY runs.id`,
      )
      .all(sample.wafer, sample.die, JSON.stringify(cells)) as FormingRow[];
    for (const row of rows) {
      const state = result.get(row.cell);
      if (!state || state.formed) continue;
      const event = this.formingEvent(row);
      if (event) Object.assign(state, { formed: true, formingRunId: row.id, formingVoltage: event.voltage });
    }
    return result;
  }

  state(sample: SampleKey, cell: number): CellState {
    return this.states(sample, [cell]).get(cell)!;
  }

  private formingEvent(row: FormingRow): { voltage: number | null } | null {
    const summary = row.summary_json
      ? (JSON.parse(row.summary_json) as { formed?: boolean; formingVoltage?: number | null })
      : {};
    if (summary.formed === true) return { voltage: summary.formingVoltage ?? null };
    if (summary.formed === false) return null;
    const params = JSON.parse(row.params_json) as { jumpFactor?: number };
    const steps = this.db
      .prepare(
        "SELECT v_source, i, compliance, flags FROM points WHERE run_id = ? AND phase = 'forming' ORDER BY seq",
      )
      .all(row.id) as Array<{ v_source: number; i: number | null; compliance: number; flags: number }>;
    let previous: number | undefined;
    for (const step of steps) {
      const m = {
        i: step.i,
        compliance: step.compliance === 1,
        overflow: (step.flags & POINT_FLAGS.overflow) !== 0,
      };
      if (isFormingEvent(previous, m, params.jumpFactor ?? 10)) return { voltage: step.v_source };
      previous = step.i === null ? Number.POSITIVE_INFINITY : Math.abs(step.i);
    }
    return null;
  }
}
