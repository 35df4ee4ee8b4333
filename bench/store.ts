/**
 * SQLite point ingest: 1,000,000 points through the store API (RunWriter, one transaction per
 * batch) against a bare prepared-insert loop with the same batches and pragmas, in one run.
 * Also: the fit time for a 10,000-point pulse-train curve.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitPulseCurve, type CurveSample } from '../src/shared/levels/fit';
import { conductanceAfter, modelFromNl } from '../src/shared/levels/pulse-model';
import { Rng } from '../src/shared/random';
import type { Point } from '../src/shared/run';
import { DEFAULT_BATCH_SIZE, RunWriter } from '../src/main/store/run-writer';
import { Store } from '../src/main/store/store';
import { fmt, median, report } from './harness';

const POINTS = 1_000_000;

function makePoints(): Point[] {
  return Array.from({ length: POINTS }, (_, seq) => ({
    seq,
    t: seq * 1e-3,
    vSource: seq % 2 ? 0.1 : 1.5,
    v: seq % 2 ? 0.1 : 1.5,
    i: 1e-6 + seq * 1e-12,
    g: 1e-5 + seq * 1e-11,
    pulse: seq % 100,
    phase: 'ltp',
    kind: seq % 2 ? 'read' : 'pulse',
    cell: 0,
    cycle: Math.floor(seq / 200),
    compliance: false,
    flags: 0,
    width: seq % 2 ? null : 1e-3,
    target: null,
  }));
}

export async function benchStore(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'reram-bench-'));
  const points = makePoints();
  try {
    // Store API: what the app does while a run streams.
    const apiStore = new Store(join(dir, 'api.db'));
    const runId = apiStore.runs.createRun({ procedure: 'pulse-train', params: {}, softwareVersion: 'bench' });
    let t = performance.now();
    const writer = new RunWriter(apiStore, runId);
    for (const p of points) writer.add(p);
    await writer.finish('completed');
    const apiSeconds = (performance.now() - t) / 1000;
    apiStore.close();

    // Bare loop: the same schema, pragmas and batch size, no store code at all.
    const bareStore = new Store(join(dir, 'bare.db'));
    const bareRun = bareStore.runs.createRun({
      procedure: 'pulse-train',
      params: {},
      softwareVersion: 'bench',
    });
    const db = bareStore.db;
    const insert = db.prepare(
      'INSERT INTO points (run_id, seq, t, v_source, v, i, g, pulse, phase, kind, cell, cycle, compliance, flags, width, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const batch = db.transaction((from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const p = points[k]!;
        insert.run(
          bareRun,
          p.seq,
          p.t,
          p.vSource,
          p.v,
          p.i,
          p.g,
          p.pulse,
          p.phase,
          p.kind,
          p.cell,
          p.cycle,
          0,
          0,
          p.width,
          null,
        );
      }
    });
    t = performance.now();
    for (let from = 0; from < POINTS; from += DEFAULT_BATCH_SIZE)
      batch(from, Math.min(POINTS, from + DEFAULT_BATCH_SIZE));
    const bareSeconds = (performance.now() - t) / 1000;
    bareStore.close();

    // Worst case for durability: each point arrives in its own event-loop turn, so each is its
    // own commit (a kill -9 then loses at most the point in flight). A bench SMU gives a few thousand/s.
    const streamStore = new Store(join(dir, 'stream.db'));
    const streamRun = streamStore.runs.createRun({ procedure: 'read', params: {}, softwareVersion: 'bench' });
    const streamed = 5000;
    const streamWriter = new RunWriter(streamStore, streamRun);
    t = performance.now();
    for (let k = 0; k < streamed; k++) {
      streamWriter.add(points[k]!);
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await streamWriter.finish('completed');
    const streamSeconds = (performance.now() - t) / 1000;
    streamStore.close();

    const ratio = bareSeconds / apiSeconds;
    report(
      `SQLite ingest of ${fmt(POINTS)} points, ${DEFAULT_BATCH_SIZE} per transaction (WAL, synchronous=FULL)`,
      [
        ['store API (RunWriter)', `${fmt(POINTS / apiSeconds)} points/s (${apiSeconds.toFixed(2)} s)`],
        ['bare prepared insert', `${fmt(POINTS / bareSeconds)} points/s (${bareSeconds.toFixed(2)} s)`],
        ['one point per turn, each its own commit', `${fmt(streamed / streamSeconds)} points/s`],
      ],
      { ratio, target: '≥ 0.5× the bare loop', pass: ratio >= 0.5 },
    );

    // Fit time for a 10,000-point curve (100 cycles of 100 pulses, 2 % noise).
    const model = modelFromNl({ gMin: 1e-6, gMax: 1e-5, nl: 2.4, pMax: 99 });
    const rng = new Rng(1);
    const samples: CurveSample[] = [];
    for (let cycle = 0; cycle < 100; cycle++)
      for (let n = 0; n < 100; n++)
        samples.push({ n, cycle, g: conductanceAfter(model, n, 'ltp') + 2e-7 * rng.normal() });
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const start = performance.now();
      fitPulseCurve(samples, 'ltp');
      times.push(performance.now() - start);
    }
    report('Fit of a 10,000-point curve (LM + 100 per-cycle refits for the uncertainty)', [
      ['median of 5', `${fmt(median(times))} ms`],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
