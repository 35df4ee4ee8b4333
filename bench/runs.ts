/**
 * Opening a long run in the run browser: a 1,000,000-point run in headless Chromium on the real
 * backend (browser mode), from the click to its plot, against a 1,000-point run and against
 * reading every point of the big run in a bare prepared-statement loop, in the same session.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Point } from '../src/shared/run';
import { Store } from '../src/main/store/store';
import { launchChromium } from '../test/helpers/browser';
import { startCli, stopChild } from '../test/helpers/cli';
import { fmt, median, report } from './harness';

const traceMs = new Map<number, number>();

function makeRun(store: Store, count: number): number {
  const runId = store.runs.createRun({
    procedure: 'read',
    params: { count },
    cell: 0,
    softwareVersion: 'bench',
  });
  const batch: Point[] = [];
  for (let seq = 0; seq < count; seq++) {
    const g = 1e-5 * (1 + 0.1 * Math.sin(seq / 5000)) + 1e-7 * ((seq * 7919) % 13);
    batch.push({
      seq,
      t: seq * 1e-3,
      vSource: 0.1,
      v: 0.1,
      i: 0.1 * g,
      g,
      pulse: 0,
      phase: 'read',
      kind: 'read',
      cell: 0,
      cycle: 0,
      compliance: false,
      flags: 0,
      width: null,
      target: null,
    });
    if (batch.length === 50_000) store.runs.appendPoints(runId, batch.splice(0));
  }
  store.runs.appendPoints(runId, batch);
  store.runs.finishRun(runId, 'completed');
  // As the recorder does when a long run ends.
  const start = performance.now();
  store.runs.runTrace(runId);
  traceMs.set(runId, performance.now() - start);
  return runId;
}

export async function benchRuns(): Promise<void> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'reram-bench-runs-')), 'runs.db');
  const store = new Store(dbPath);
  const small = makeRun(store, 1_000);
  const big = makeRun(store, 1_000_000);
  store.close();

  // The naive way: every point through a prepared statement.
  const db = new Database(dbPath, { readonly: true });
  const bare: number[] = [];
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    let n = 0;
    for (const _row of db
      .prepare('SELECT seq, g FROM points WHERE run_id = ? ORDER BY seq')
      .raw()
      .iterate(big))
      n++;
    bare.push(performance.now() - start);
    if (n !== 1_000_000) throw new Error(`read ${n} points`);
  }
  db.close();

  const { child, match } = await startCli(
    ['serve', '--db', dbPath],
    /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/,
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(match[1]!);
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.locator(`tr[data-run="${big}"]`).waitFor({ timeout: 60_000 });
    const open = async (runId: number) => {
      // Away and back, so each timing starts from nothing shown.
      await page.evaluate(() => (location.hash = '#/instrument'));
      await page.getByRole('link', { name: 'Runs', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Runs', exact: true }).click();
      const row = page.locator(`tr[data-run="${runId}"]`);
      await row.waitFor();
      const start = Date.now();
      await row.click();
      await page
        .locator(`[data-testid=run-detail][data-loaded="${runId}"] [data-testid=run-plot] canvas`)
        .waitFor({
          timeout: 60_000,
        });
      return Date.now() - start;
    };
    await open(small); // warm-up
    const smallTimes: number[] = [];
    const bigTimes: number[] = [];
    for (let k = 0; k < 3; k++) {
      smallTimes.push(await open(small));
      bigTimes.push(await open(big));
    }
    const bigMs = median(bigTimes);
    report(
      'Run browser: click a run to its plot drawn, headless Chromium on the real backend',
      [
        ['1,000,000-point run', `${fmt(bigMs)} ms (target ≤ 1000 ms: ${bigMs <= 1000 ? 'met' : 'NOT met'})`],
        ['1,000-point run', `${fmt(median(smallTimes))} ms`],
        ['drawing the 1,000,000-point run once, when it ended (kept)', `${fmt(traceMs.get(big)!)} ms`],
        ['reading the 1,000,000 points in a bare prepared-statement loop', `${fmt(median(bare))} ms`],
      ],
      { ratio: bigMs / median(bare), target: '1M-point open vs bare full read', pass: bigMs <= 1000 },
    );
  } finally {
    await browser.close();
    await stopChild(child);
  }
}
