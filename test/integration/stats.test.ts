/**
 * `reram-bench stats` over a virtual die: the distributions are those of the runs' own summaries
 * (forming voltage, V_SET, V_RESET per cell), for this sample only.
 */
import { afterAll, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import { recordRun, sampleOf } from '../../src/main/services/recorder';
import { Store } from '../../src/main/store/store';
import { runCli } from '../helpers/cli';
import { startSim } from '../helpers/sim';
import { tempDbPath } from '../helpers/temp';

const sim = await startSim({ model: '2450', seed: 21, cells: 4 });
afterAll(() => sim.close());

it("distributions across a die's cells from their runs, with each cell's values", async () => {
  const db = tempDbPath('stats.db');
  const store = new Store(db);
  const smu = await connectInstrument(`TCPIP::127.0.0.1::${sim.port}::SOCKET`);
  const expected = { vForm: [] as number[], vSet: [] as number[], vReset: [] as number[] };
  const sample = await sampleOf(smu);
  const die = sample.die;
  try {
    const run = async (cell: number, raw: Record<string, unknown>) =>
      (await recordRun(store, smu, ProcedureParams.parse({ ...raw, cell }), sample)).result.summary;
    for (let cell = 0; cell < 4; cell++) {
      const formed = await run(cell, { procedure: 'forming', maxVoltage: 5, compliance: 1e-3 });
      const reset = await run(cell, { procedure: 'reset', maxVoltage: 3, compliance: 1e-3, vPeak: -2 });
      const set = await run(cell, { procedure: 'set', maxVoltage: 3, compliance: 30e-6, vPeak: 2 });
      expected.vForm.push(formed.formingVoltage as number);
      if (typeof reset.switchingVoltage === 'number') expected.vReset.push(reset.switchingVoltage);
      if (typeof set.switchingVoltage === 'number') expected.vSet.push(set.switchingVoltage);
    }
  } finally {
    await smu.close();
    store.close();
  }
  const result = await runCli([
    'stats',
    '--wafer',
    'virtual',
    '--die',
    die,
    '--cells',
    '4',
    '--db',
    db,
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  const stats = JSON.parse(result.stdout) as {
    figures: Record<string, { n: number; median: number; cdf: Array<{ value: number }> } | null>;
  };
  for (const figure of ['vForm', 'vSet', 'vReset'] as const) {
    const values = [...expected[figure]].sort((a, b) => a - b);
    expect(values.length, figure).toBeGreaterThan(0);
    expect(
      stats.figures[figure]!.cdf.map((p) => p.value),
      figure,
    ).toEqual(values);
  }
  console.log(
    `virtual die ${die}: V_form ${expected.vForm.join(', ')} V; V_SET ${expected.vSet.join(', ')} V; V_RESET ${expected.vReset.join(', ')} V`,
  );
  // Per cell: one row per cell of the die, V_form read back.
  const perCell = await runCli([
    'stats',
    '--wafer',
    'virtual',
    '--die',
    die,
    '--cells',
    '4',
    '--db',
    db,
    '--per-cell',
  ]);
  expect(perCell.code, perCell.stderr).toBe(0);
  const cellRows = perCell.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
  expect(cellRows).toHaveLength(5);
  expect(
    cellRows
      .slice(1)
      .map((r) => Number(r.split(',')[5]))
      .sort((a, b) => a - b),
  ).toEqual([...expected.vForm].sort((a, b) => a - b));
  // Another sample has no figures; the CSV form has a header and one row per figure.
  const other = await runCli(['stats', '--wafer', 'W1', '--die', 'D9', '--db', db]);
  expect(other.code, other.stderr).toBe(0);
  const rows = other.stdout.trim().split('\n');
  expect(rows[0]).toBe('figure,unit,n,min,q1,median,q3,max,outliers');
  expect(rows.slice(1).map((r) => r.split(',').slice(0, 3).join(','))).toEqual([
    'hrs,S,0',
    'lrs,S,0',
    'onOff,,0',
    'nl,,0',
    'vForm,V,0',
    'vSet,V,0',
    'vReset,V,0',
    'endurance,,0',
    'drift,,0',
  ]);
});
