/**
 * Retention against the simulator's truth: each virtual cell's levels drift as a power law with
 * ν set by the cell's drawn ν_max and the level's place in the window. The retention run programs
 * the levels, lets instrument time pass (`:SIM:WAIT`), and its fitted ν per level must match the
 * truth; the power law must be named the better fit; a die without drift must give ν ≈ 0. A run
 * stopped during a level is continued by a new run in a new process (the same database file, a new
 * connection to the same die) without reprogramming the level the cell holds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { RunRecording, recordRun } from '../../src/main/services/recorder';
import { Store } from '../../src/main/store/store';
import { retentionReadTimes, type DriftFit } from '../../src/shared/levels/drift';
import { ProcedureParams, RetentionState } from '../../src/shared/procedures';
import { startSim } from '../helpers/sim';
import { tempDbPath } from '../helpers/temp';

const sims: SimServer[] = [];
afterAll(async () => Promise.all(sims.map((s) => s.close())));

/** Three levels on cell 1, each read for 10,000 s at four reads per decade. */
const RETENTION = {
  procedure: 'retention',
  maxVoltage: 3,
  compliance: 1e-3,
  cell: 1,
  levels: 3,
  duration: 10_000,
  readsPerDecade: 4,
} as const;

async function retentionOn(driftNu: number | undefined) {
  const sim = await startSim({
    model: 'b2900',
    cells: 2,
    seed: 31,
    timeScale: 0,
    ...(driftNu ? { driftNu } : {}),
  });
  sims.push(sim);
  const smu = await connectInstrument(sim.resource);
  try {
    const forming = await runProcedure(
      smu,
      ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell: 1 }),
    );
    expect(forming.summary.formed).toBe(true);
    const result = await runProcedure(smu, ProcedureParams.parse(RETENTION));
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    const cell = sim.instrument.die.cells[1]!;
    return { result, cell, sim };
  } finally {
    await smu.close();
  }
}

describe('retention on the virtual SMU', () => {
  it('fitted ν per level matches the cell’s drift law, and the power law is the better fit', async () => {
    // A strong drift (ν up to ~0.1): over four decades the power law's curvature is well above the
    // 0.5 % read noise, so the form can be told apart, not only ν measured.
    const { result, cell, sim } = await retentionOn(0.1);
    const retention = result.summary.retention as { levels: Array<{ programmed: number; fit: DriftFit }> };
    const p = cell.params;
    const [gMin, gMax] = [Math.min(p.ltp.gMin, p.ltd.gMin), Math.max(p.ltp.gMax, p.ltd.gMax)];
    const seen: string[] = [];
    for (const level of retention.levels) {
      const x = Math.min(1, Math.max(0, (level.programmed - gMin) / (gMax - gMin)));
      const truth = p.driftNu! * (0.2 + 0.8 * 4 * x * (1 - x));
      seen.push(
        `G ${(level.programmed * 1e6).toFixed(1)} µS: ν ${level.fit.powerLaw.nu.toFixed(4)} (truth ${truth.toFixed(4)})`,
      );
      expect(Math.abs(level.fit.powerLaw.nu - truth)).toBeLessThan(0.1 * truth + 0.002);
      expect(level.fit.better).not.toBe('log-linear');
    }
    console.log(seen.join('; '));
    expect(result.summary.driftBetter).toBe('power-law');
    // The waits were instrument time: 3 levels × 10,000 s passed on the virtual clock.
    expect(sim.instrument.clock).toBeGreaterThan(30_000);
  }, 60_000);

  it('a die without drift gives ν ≈ 0 on every level', async () => {
    const { result } = await retentionOn(undefined);
    for (const nu of result.summary.driftNu as number[]) expect(Math.abs(nu)).toBeLessThan(0.002);
  }, 60_000);
});

describe('a retention run continued after a stop', () => {
  it('keeps the levels done, reads the held level on at its remaining times without reprogramming it, and fits every level', async () => {
    const sim = await startSim({ model: 'b2900', cells: 2, seed: 32, timeScale: 0, driftNu: 0.1 });
    sims.push(sim);
    const path = tempDbPath();
    const sample = { wafer: 'virtual', die: sim.instrument.die.id };
    const retention = RETENTION;
    const times = retentionReadTimes(1, 10_000, 4);

    // The first process: forms the cell, then stops the retention run during level 2.
    let store = new Store(path);
    let smu = await connectInstrument(sim.resource);
    const first = await (async () => {
      await recordRun(
        store,
        smu,
        ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell: 1 }),
        sample,
      );
      const stop = new AbortController();
      let checkpointed: unknown;
      const { runId, result } = await recordRun(store, smu, ProcedureParams.parse(retention), sample, {
        signal: stop.signal,
        onPoint: (point) => {
          // Level 2 (index 1), after its fourth read: quit.
          if (point.phase === 'read' && point.target === 1 && point.pulse === 3) stop.abort();
        },
        onCheckpoint: (summary) => (checkpointed ??= summary.retentionState),
      });
      expect(result.status).toBe('cancelled');
      // The state was durable while the run went on, not only at its end.
      expect(checkpointed).toBeDefined();
      return runId;
    })();
    await smu.close();
    store.close();

    // A new process: the same database, a new connection to the same die.
    store = new Store(path);
    smu = await connectInstrument(sim.resource);
    try {
      const stored = RetentionState.parse(store.runs.getRun(first).summary!.retentionState);
      expect(stored.current).toBe(1);
      expect(stored.levels.map((l) => l.reads.length)).toEqual([times.length, 4]);

      // Refused: a different schedule, a completed run, another cell.
      expect(() =>
        RunRecording.start(
          store,
          smu,
          ProcedureParams.parse({ ...retention, duration: 5000, resumeFrom: first }),
          sample,
        ),
      ).toThrow(/schedule differs \(duration 10000 → 5000\)/);
      expect(() =>
        RunRecording.start(
          store,
          smu,
          ProcedureParams.parse({ ...retention, cell: 0, resumeFrom: first }),
          sample,
          { acknowledgeCellState: true }, // cell 0 is pristine: past the cell guard to this check
        ),
      ).toThrow(/ran on cell 1, not cell 0/);

      const { runId, result } = await recordRun(
        store,
        smu,
        ProcedureParams.parse({ ...retention, resumeFrom: first }),
        sample,
      );
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      const points = store.runs.getPoints(runId);
      // Level 2 was not programmed again: only level 3's ISPP pulses are in the new run.
      const programmed = new Set(points.filter((p) => p.kind === 'pulse').map((p) => p.target));
      expect([...programmed]).toEqual([2]);
      // Level 2's reads went on at the schedule's remaining times (the virtual clock stood still).
      const level2Reads = points.filter((p) => p.phase === 'read' && p.target === 1);
      expect(level2Reads.map((p) => p.pulse)).toEqual(times.slice(4).map((_, j) => 4 + j));
      const summary = result.summary.retention as { levels: Array<{ reads: number; fit?: DriftFit }> };
      expect(summary.levels.map((l) => l.reads)).toEqual([times.length, times.length, times.length]);
      expect(summary.levels.every((l) => l.fit !== undefined)).toBe(true);
      expect(result.summary.continues).toEqual([first]);
      expect(result.summary.driftBetter).toBe('power-law');

      expect(() =>
        RunRecording.start(store, smu, ProcedureParams.parse({ ...retention, resumeFrom: runId }), sample),
      ).toThrow(/cannot be continued: it completed/);

      // On a real bench the wall time since the checkpoint counts: reads due meanwhile are missed.
      const gapS = 200;
      const late = await runProcedure(smu, ProcedureParams.parse({ ...retention, resumeFrom: first }), {
        resume: { fromRun: first, state: stored, gapS },
      });
      expect(late.status, JSON.stringify(late.error)).toBe('completed');
      const missed = times.filter((t) => t > stored.elapsed && t <= stored.elapsed + gapS);
      expect(missed.length).toBeGreaterThan(2);
      const lateLevels = (late.summary.retention as { levels: Array<{ reads: number; missed?: number }> })
        .levels;
      expect(lateLevels[1]).toMatchObject({ reads: times.length - missed.length, missed: missed.length });
    } finally {
      await smu.close();
      store.close();
    }
  }, 60_000);
});
