/**
 * From one cell to a chip, end to end through the services the pages call: a queue over a
 * 16-cell virtual die that wears out and drifts (form → pulse train → endurance to failure →
 * retention), then the chip's statistics. The simulator's own per-cell truth (its drawn endurance
 * N and drift ν_max, asked on a second connection) is what the statistics must recover.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EventHub } from '../../src/main/services/events';
import { createServices, type Services } from '../../src/main/api/services';
import { ConnectRequest } from '../../src/shared/api';
import type { DeviceProfile } from '../../src/shared/profile/schema';
import { PredictionReport } from '../../src/shared/rca/report';
import { runCli } from '../helpers/cli';
import { rawQuery } from '../helpers/sim';
import { queueEnd } from '../helpers/events';
import { tempDbPath } from '../helpers/temp';

const CELLS = 16;
const events = new EventHub();
let services: Services;
let port: number;
const db = tempDbPath('chip.db');

beforeAll(async () => {
  services = createServices({ mode: 'browser', events, dbPath: db });
  const status = await services.handlers['instrument.connect'](
    ConnectRequest.parse({
      kind: 'virtual',
      model: 'b2900',
      cells: CELLS,
      seed: 41,
      timeScale: 0,
      endurance: 60,
      drift: 0.08,
    }),
  );
  port = Number(status.simulator!.tcpResource!.split('::')[2]);
});
afterAll(async () => services?.dispose());

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

it('a 16-cell queue, then statistics that recover the die’s endurance and drift', async () => {
  const ended = queueEnd(events);
  await services.handlers['queue.start']({
    recipe: {
      schemaVersion: 1,
      name: 'chip',
      cells: `0-${CELLS - 1}`,
      onFailure: 'retry-then-skip',
      retries: 1,
      cellGuard: 'skip',
      steps: [
        { params: { procedure: 'forming', maxVoltage: 5, compliance: 1e-3 } },
        { params: { procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, pulses: 4, cycles: 1 } },
        { params: { procedure: 'write-verify', maxVoltage: 3, compliance: 1e-3, levels: 4, repeats: 2 } },
        { params: { procedure: 'endurance', maxVoltage: 3, compliance: 1e-3, cycles: 1000 } },
        {
          params: {
            procedure: 'retention',
            maxVoltage: 3,
            compliance: 1e-3,
            levels: 2,
            duration: 1000,
            readsPerDecade: 3,
            temperature: 85,
          },
        },
      ],
    },
  });
  const view = await ended;
  expect(view.status).toBe('completed');
  expect(view.steps.filter((s) => s.status !== 'completed')).toEqual([]);

  const stats = await services.handlers['stats.chip']({ cells: CELLS });
  const truth: Array<{ endurance: number; nuMax: number }> = [];
  for (let cell = 0; cell < CELLS; cell++) {
    const [endurance, nu] = await rawQuery(port, [`:SIM:CELL ${cell}`, ':SIM:CELL:END?', ':SIM:CELL:DRIF?']);
    truth.push({ endurance: Number(endurance), nuMax: Number(nu) });
  }
  // Endurance: every cell failed; the chip's median within 25 % of the drawn cells' median.
  const measured = stats.figures.endurance!;
  expect(measured.n).toBe(CELLS);
  const trueMedian = median(truth.map((t) => t.endurance));
  expect(Math.abs(measured.median / trueMedian - 1)).toBeLessThan(0.25);
  // Drift: a worn window sits in the middle of the full one, where ν is near ν_max (0.2 + 0.8·4x(1−x)).
  const drift = stats.cells.map((c) => ({ cell: c.cell, nu: c.values.drift! }));
  expect(drift.filter((d) => d.nu !== undefined)).toHaveLength(CELLS);
  for (const { cell, nu } of drift) {
    expect(nu / truth[cell]!.nuMax, `cell ${cell}`).toBeGreaterThan(0.7);
    expect(nu / truth[cell]!.nuMax, `cell ${cell}`).toBeLessThan(1.1);
  }
  // The spread across cells is the simulator's too: the drawn ν_max span the measured ν.
  console.log(
    `endurance median ${measured.median} (truth ${trueMedian.toFixed(0)}); drift ν ${median(drift.map((d) => d.nu)).toFixed(4)} vs ν_max ${median(truth.map((t) => t.nuMax)).toFixed(4)}`,
  );

  // One profile of the die, carrying the drift law its retention runs measured.
  const built = await runCli([
    'profile',
    'build',
    '--wafer',
    stats.sample.wafer ?? 'virtual',
    '--die',
    stats.sample.die,
    '--cells',
    `0-${CELLS - 1}`,
    '--name',
    'drifting die',
    '--db',
    db,
    '--json',
  ]);
  expect(built.code, built.stderr).toBe(0);
  const { profile } = JSON.parse(built.stdout) as { profile: DeviceProfile };
  const law = profile.tables[0]!.drift!;
  expect(law.points).toHaveLength(2);
  expect(law.source).toMatch(/16 cells; temperature 85 °C\)/);
  expect(law.points.every((p) => p.n === CELLS && p.nu > 0 && p.nuSigma > 0)).toBe(true);
  // The same from the app (the Statistics page's button): the cells kept, the law, and no silent overwrite.
  const fromApp = await services.handlers['profiles.build']({
    cells: CELLS,
    name: 'drifting die (app)',
    overwrite: false,
  });
  expect(fromApp.kept.length + fromApp.excluded.length).toBe(CELLS);
  expect(fromApp.driftLaw).toBe(true);
  await expect(
    services.handlers['profiles.build']({ cells: CELLS, name: 'drifting die (app)', overwrite: false }),
  ).rejects.toThrow(/already exists/);
  // The chip a day later, with and without global drift compensation, on the same chips.
  const dir = dirname(db);
  const predict = async (extra: string[], name: string) => {
    const report = join(dir, name);
    const run = await runCli([
      'predict',
      '--profile',
      'drifting die',
      '--methods',
      'linear,mes',
      '--bits',
      '2',
      '--limit',
      '300',
      '--trials',
      '4',
      '--after',
      '1d',
      ...extra,
      '--report',
      report,
      '--db',
      db,
    ]);
    expect(run.code, run.stderr).toBe(0);
    return PredictionReport.parse(JSON.parse(readFileSync(report, 'utf8')));
  };
  const plain = await predict([], 'plain.json');
  const compensated = await predict(['--compensate', 'on'], 'compensated.json');
  expect(plain.settings.device.after).toBe(86_400);
  expect(compensated.settings.read.driftCompensation).toBe(true);
  // The report says which spread the chip table holds and which dominates.
  expect(plain.device.spread).toMatchObject({ sigma: 'c2c+d2d' });
  expect(plain.device.spread!.cells).toBeGreaterThanOrEqual(2);
  const fresh = await predict(['--after', '0'], 'fresh.json');
  const accuracy = (r: PredictionReport, method: string) => r.results.find((x) => x.method === method)!.mean;
  // Devices drawn from the measured cells themselves instead of their Gaussian: the same die, so
  // the same accuracy within the chips' spread; the report says how the devices were drawn.
  const cellsDrawn = await predict(['--after', '0', '--device-draw', 'measured-cells'], 'cells.json');
  expect(cellsDrawn.settings.device.draw).toBe('measured-cells');
  expect(Math.abs(accuracy(cellsDrawn, 'mes') - accuracy(fresh, 'mes'))).toBeLessThan(0.1);
  // A day of drift costs accuracy; one scale per layer, read on the chip, wins much of it back.
  for (const method of ['mes', 'linear']) {
    expect(accuracy(plain, method)).toBeLessThan(accuracy(fresh, method) - 0.05);
    expect(accuracy(compensated, method)).toBeGreaterThan(accuracy(plain, method) + 0.05);
  }
  console.log(
    `MES 2-bit: fresh ${accuracy(fresh, 'mes').toFixed(3)}, 1 day ${accuracy(plain, 'mes').toFixed(3)}, compensated ${accuracy(compensated, 'mes').toFixed(3)}; linear ${accuracy(fresh, 'linear').toFixed(3)} / ${accuracy(plain, 'linear').toFixed(3)} / ${accuracy(compensated, 'linear').toFixed(3)}`,
  );
}, 300_000);
