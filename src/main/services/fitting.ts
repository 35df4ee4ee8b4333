/** From a stored run to a level table (and optionally a device profile). */
import { ReramError } from '../../shared/errors';
import { LEVEL_TABLE_PROCEDURES, yieldsLevelTable } from '../../shared/procedures';
import {
  levelTableFromPulseTrain,
  levelTableFromWriteVerify,
  type LevelSpacing,
} from '../../shared/levels/extract';
import { selectLevels, type LevelTable } from '../../shared/levels/level-table';
import { assessLevelTable } from '../../shared/levels/quality';
import { PROFILE_SCHEMA_VERSION, SI_UNITS, type DeviceProfile } from '../../shared/profile/schema';
import type { RunSummary } from '../../shared/run';
import { appVersion } from '../paths';
import type { Store } from '../store/store';

export interface FitRunResult {
  run: RunSummary;
  table: LevelTable;
  warnings: string[];
}

/** What the Levels page shows of a fit: the table, its quality, and how many levels the full train holds. */
export function fitSummary(
  store: Store,
  runId: number,
  options: { bits?: number | undefined; spacing: LevelSpacing },
) {
  const { bits, spacing } = options;
  const result = fitRun(store, runId, { spacing, ...(bits !== undefined ? { bits } : {}) });
  const full = bits === undefined ? result.table : fitRun(store, runId).table;
  return {
    table: result.table,
    warnings: result.warnings,
    run: result.run,
    quality: assessLevelTable(result.table),
    fullLevels: full.levels.length,
  };
}

export function fitRun(
  store: Store,
  runId: number,
  options: { bits?: number; name?: string; spacing?: LevelSpacing } = {},
): FitRunResult {
  const run = store.runs.getRun(runId);
  const warnings: string[] = [];
  if (run.status !== 'completed')
    warnings.push(`Run ${runId} is ${run.status}: the table uses the ${run.pointCount} points it recorded.`);
  const points = store.runs.getPoints(runId);
  const provenance = {
    runIds: [runId],
    ...(run.instrument ? { instrument: run.instrument } : {}),
    ...(run.cell !== null ? { cell: run.cell } : {}),
    createdAt: new Date().toISOString(),
    softwareVersion: appVersion(),
  };
  const name = options.name ?? `run ${runId}${options.bits ? ` ${options.bits}-bit` : ''}`;
  if (!yieldsLevelTable(run.procedure))
    throw new ReramError(
      'FIT',
      `Run ${runId} is a ${run.procedure} run; level tables come from ${LEVEL_TABLE_PROCEDURES.join(' or ')} runs.`,
    );
  let table: LevelTable;
  if (run.procedure === 'pulse-train') {
    table = levelTableFromPulseTrain(points, options.bits, {
      name,
      provenance,
      ...(options.spacing ? { spacing: options.spacing } : {}),
    });
  } else if (run.procedure === 'write-verify') {
    table = levelTableFromWriteVerify(points, { name, provenance });
    if (options.bits !== undefined) table = { ...selectLevels(table, options.bits), name };
  } else {
    throw new ReramError('INTERNAL', `No level-table extraction for ${run.procedure} runs.`);
  }
  warnings.push(...table.provenance.warnings);
  // Fitting only reads: the table is stored when the user saves it as a profile.
  return { run, table, warnings };
}

export function profileFromTable(
  table: LevelTable,
  options: { name: string; materialStack?: string; notes?: string; run?: RunSummary },
): DeviceProfile {
  const now = new Date().toISOString();
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    name: options.name,
    materialStack: options.materialStack ?? '',
    sample:
      options.run?.cell !== null && options.run?.cell !== undefined ? { cell: String(options.run.cell) } : {},
    notes: options.notes ?? '',
    units: SI_UNITS,
    tables: [{ ...table, name: table.name }],
    provenance: {
      source: 'measured',
      createdAt: now,
      softwareVersion: appVersion(),
      ...(options.run?.instrument ? { instrument: options.run.instrument } : {}),
      runIds: table.provenance.runIds,
    },
  };
}
