/**
 * One profile from many cells of a sample: each cell's latest pulse train or write-verify run is
 * fitted; cells whose table fails (or holds another number of levels) are left out with the
 * reason. For level k over the kept cells:
 *   mean       ḡ_k = mean of the cells' g_k
 *   C2C σ      σ_c2c,k = √(mean of the cells' σ_k²)        (how one cell repeats)
 *   D2D σ      σ_d2d,k = sample σ of the cells' g_k          (how cells differ)
 * Two tables come out: the mean with the C2C σ (one device, programmed again and again), and the
 * mean with σ = √(σ_c2c² + σ_d2d²): a chip built from this die, where every crossbar cell is a
 * different device programmed once, so the two spreads add per cell. The ratio d2d/c2c (RMS over
 * levels) says which dominates.
 */
import type { SampleKey } from '../../shared/cell-guard';
import { ReramError } from '../../shared/errors';
import { DRIFT_T0_S } from '../../shared/levels/drift';
import type { CellSpread, DriftLaw, LevelTable } from '../../shared/levels/level-table';
import { assessLevelTable } from '../../shared/levels/quality';
import { PROFILE_SCHEMA_VERSION, SI_UNITS, type DeviceProfile } from '../../shared/profile/schema';
import { mean, sampleStd } from '../../shared/stats';
import { appVersion } from '../paths';
import type { Store } from '../store/store';
import type { ProfileLibrary } from './profiles';
import { fitRun } from './fitting';
import { completedSampleRuns } from './statistics';

export interface ChipProfileResult {
  profile: DeviceProfile;
  kept: number[];
  excluded: Array<{ cell: number; reason: string }>;
  d2dOverC2c: number;
}

/** The latest completed pulse train or write-verify of each cell of the sample. */
function latestProgrammingRuns(
  store: Store,
  sample: SampleKey,
  cells: readonly number[],
): Map<number, number> {
  const wanted = new Set(cells);
  const latest = new Map<number, number>();
  for (const row of completedSampleRuns(store, sample, ['pulse-train', 'write-verify']))
    if (wanted.has(row.cell)) latest.set(row.cell, row.id);
  return latest;
}

/**
 * The drift law of the cells' latest retention runs: for the k-th programmed level, the mean
 * landed conductance, the mean of the cells' power-law ν and its spread over cells (D2D).
 */
export function retentionDriftLaw(
  store: Store,
  sample: SampleKey,
  cells: readonly number[],
): DriftLaw | undefined {
  const wanted = new Set(cells);
  const latest = new Map<number, { id: number; summary: string | null }>();
  for (const row of completedSampleRuns(store, sample, ['retention']))
    if (wanted.has(row.cell)) latest.set(row.cell, { id: row.id, summary: row.summary_json });
  const byLevel: Array<{ g: number[]; nu: number[] }> = [];
  const runIds: number[] = [];
  const temperatures = new Set<string>();
  for (const { id, summary } of latest.values()) {
    const parsed = summary
      ? (JSON.parse(summary) as { retention?: { levels?: unknown[] }; temperature?: unknown })
      : {};
    const levels = parsed.retention?.levels;
    if (!Array.isArray(levels)) continue;
    runIds.push(id);
    temperatures.add(typeof parsed.temperature === 'number' ? `${parsed.temperature} °C` : 'unstated');
    levels.forEach((entry, k) => {
      const level = entry as {
        target?: number;
        programmed?: number | null;
        fit?: { powerLaw?: { nu?: number } };
      };
      const nu = level.fit?.powerLaw?.nu;
      const g = typeof level.programmed === 'number' ? level.programmed : level.target;
      if (typeof nu !== 'number' || !Number.isFinite(nu) || typeof g !== 'number' || !(g > 0)) return;
      (byLevel[k] ??= { g: [], nu: [] }).g.push(g);
      byLevel[k]!.nu.push(nu);
    });
  }
  const points = byLevel
    .filter((l) => l && l.nu.length > 0)
    .map((l) => ({
      g: mean(l.g),
      nu: Math.max(-1, Math.min(1, mean(l.nu))),
      nuSigma: l.nu.length > 1 ? sampleStd(l.nu) : 0,
      n: l.nu.length,
    }))
    .sort((a, b) => a.g - b.g);
  if (points.length === 0) return undefined;
  return {
    t0: DRIFT_T0_S,
    points,
    source: `power-law fits of retention runs ${runIds.sort((a, b) => a - b).join(', ')} (${latest.size} cells; temperature ${[...temperatures].join(', ')}${temperatures.size > 1 ? ': mixed, so the spread holds temperature too' : ''})`,
  };
}

const spreadOf = (values: number[]) => ({
  mean: mean(values),
  sd: values.length > 1 ? sampleStd(values) : 0,
});

export function buildChipProfile(
  store: Store,
  sample: SampleKey,
  cells: readonly number[],
  options: { name: string; bits?: number; materialStack?: string },
): ChipProfileResult {
  const runs = latestProgrammingRuns(store, sample, cells);
  const excluded: Array<{ cell: number; reason: string }> = [];
  const fitted: Array<{ cell: number; runId: number; table: LevelTable }> = [];
  for (const cell of cells) {
    const runId = runs.get(cell);
    if (runId === undefined) {
      excluded.push({ cell, reason: 'no completed pulse train or write-verify on this sample' });
      continue;
    }
    try {
      const { table } = fitRun(store, runId, options.bits !== undefined ? { bits: options.bits } : {});
      const quality = assessLevelTable(table);
      if (quality.verdict === 'failed')
        excluded.push({ cell, reason: `run ${runId}: the fit failed (${quality.reasons.join(' ')})` });
      else fitted.push({ cell, runId, table });
    } catch (error) {
      excluded.push({ cell, reason: `run ${runId}: ${(error as Error).message}` });
    }
  }
  // The kept cells must hold the same number of levels: the most common count wins.
  const counts = new Map<number, number>();
  for (const f of fitted) counts.set(f.table.levels.length, (counts.get(f.table.levels.length) ?? 0) + 1);
  const levels = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
  const kept = fitted.filter((f) => {
    if (f.table.levels.length === levels) return true;
    excluded.push({
      cell: f.cell,
      reason: `run ${f.runId}: ${f.table.levels.length} levels, not the ${levels} of the other cells (give --bits)`,
    });
    return false;
  });
  if (kept.length < 2)
    throw new ReramError(
      'INVALID_INPUT',
      `A profile from many cells needs at least two cells with a usable fit; ${kept.length} of ${cells.length} have one.${excluded.length ? ` Left out: ${excluded.map((e) => `cell ${e.cell} (${e.reason})`).join('; ')}.` : ''}`,
    );
  const n = levels!;
  const perLevel = Array.from({ length: n }, (_, k) => {
    const gs = kept.map((f) => f.table.levels[k]!.g);
    const c2c = Math.sqrt(mean(kept.map((f) => f.table.levels[k]!.sigma ** 2)));
    return { g: mean(gs), c2c, d2d: sampleStd(gs), n: kept.reduce((s, f) => s + f.table.levels[k]!.n, 0) };
  });
  // Means of sorted tables stay ascending; guard the strict order the schema wants anyway.
  for (let k = 1; k < n; k++)
    if (!(perLevel[k]!.g > perLevel[k - 1]!.g)) perLevel[k]!.g = perLevel[k - 1]!.g * (1 + 1e-9);
  const ratios = perLevel.filter((l) => l.c2c > 0).map((l) => (l.d2d / l.c2c) ** 2);
  const d2dOverC2c = ratios.length ? Math.sqrt(mean(ratios)) : Number.POSITIVE_INFINITY;
  const ltp = kept.map((f) => f.table.fits.find((fit) => fit.direction === 'ltp'));
  const everyFit = ltp.every((fit) => fit !== undefined);
  const first = kept[0]!.table;
  const spread = (sigma: CellSpread['sigma']): CellSpread => ({
    cells: kept.map((f) => f.cell),
    excluded: [...excluded].sort((a, b) => a.cell - b.cell),
    ...(everyFit
      ? {
          nl: spreadOf(ltp.map((fit) => fit!.nl)),
          gMin: spreadOf(ltp.map((fit) => fit!.gMin)),
          gMax: spreadOf(ltp.map((fit) => fit!.gMax)),
        }
      : {}),
    sigma,
    d2dOverC2c: Number.isFinite(d2dOverC2c) ? d2dOverC2c : 0,
    perCell: kept.map((f) => ({ cell: f.cell, g: f.table.levels.map((l) => l.g) })),
  });
  const now = new Date().toISOString();
  const runIds = kept.map((f) => f.runId);
  const drift = retentionDriftLaw(store, sample, cells);
  const table = (sigma: CellSpread['sigma']): LevelTable => ({
    name: `${kept.length} cells, ${sigma === 'c2c' ? 'one device (C2C σ)' : 'a chip of them (C2C + D2D σ)'}`,
    levels: perLevel.map((l) => ({
      g: l.g,
      sigma: sigma === 'c2c' ? l.c2c : Math.hypot(l.c2c, l.d2d),
      n: l.n,
      d2dSigma: l.d2d,
    })),
    gMin: mean(kept.map((f) => f.table.gMin)),
    gMax: mean(kept.map((f) => f.table.gMax)),
    readVoltage: first.readVoltage,
    ...(first.programming ? { programming: first.programming } : {}),
    fits: [],
    cellSpread: spread(sigma),
    ...(drift ? { drift } : {}),
    provenance: {
      runIds,
      createdAt: now,
      softwareVersion: appVersion(),
      method: `mean of ${kept.length} cells' tables; σ per level: ${sigma === 'c2c' ? 'RMS of the cells’ σ' : '√(C2C² + D2D²)'}`,
      warnings: excluded.map((e) => `cell ${e.cell} left out: ${e.reason}`),
    },
  });
  const dominates = d2dOverC2c > 1 ? 'device-to-device spread dominates' : 'cycle-to-cycle spread dominates';
  const profile: DeviceProfile = {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    name: options.name,
    materialStack: options.materialStack ?? '',
    sample: { ...(sample.wafer ? { wafer: sample.wafer } : {}), die: sample.die },
    notes: `Built from cells ${kept.map((f) => f.cell).join(', ')} of ${sample.wafer ? `${sample.wafer} / ` : ''}${sample.die}; ${dominates} (RMS d2d/c2c σ ${d2dOverC2c.toFixed(2)}).${excluded.length ? ` Left out: ${excluded.map((e) => `cell ${e.cell} (${e.reason})`).join('; ')}.` : ''}`,
    units: SI_UNITS,
    tables: [table('c2c+d2d'), table('c2c')],
    provenance: { source: 'measured', createdAt: now, softwareVersion: appVersion(), runIds },
  };
  return { profile, kept: kept.map((f) => f.cell), excluded, d2dOverC2c };
}

/** Builds the profile of cells 0…cells−1 of a sample and saves it in the library; what the page reports. */
export function saveChipProfile(
  store: Store,
  library: ProfileLibrary,
  sample: SampleKey,
  options: { cells: number; name: string; bits?: number | undefined; overwrite: boolean },
) {
  const all = Array.from({ length: options.cells }, (_, k) => k);
  const bits = options.bits;
  const result = buildChipProfile(store, sample, all, {
    name: options.name,
    ...(bits !== undefined ? { bits } : {}),
  });
  library.save(result.profile, { overwrite: options.overwrite });
  const table = result.profile.tables[0]!;
  return {
    profile: result.profile.name,
    kept: result.kept,
    excluded: result.excluded,
    d2dOverC2c: result.d2dOverC2c,
    levels: table.levels.length,
    driftLaw: table.drift !== undefined,
  };
}
