/**
 * A procedure run recorded as it happens: the run row is created first, points are committed in
 * batches while they stream, the instrument settings snapshot is stored, and the run is closed
 * with its outcome. Used by the CLI and the app alike.
 */
import type { ProcedureParams } from '../../shared/procedures';
import type { Point } from '../../shared/run';
import type { Smu } from '../instrument/drivers/smu';
import { runProcedure, type RunCallbacks, type RunResult } from '../instrument/procedures/runner';
import { appVersion } from '../paths';
import { RunWriter, type Store } from '../store/store';

export interface RecordCallbacks extends RunCallbacks {
  onRunCreated?(runId: number): void;
  batchSize?: number;
}

export async function recordRun(
  store: Store,
  smu: Smu,
  params: ProcedureParams,
  callbacks: RecordCallbacks = {},
): Promise<{ runId: number; result: RunResult }> {
  const runId = store.createRun({
    procedure: params.procedure,
    params: params as unknown as Record<string, unknown>,
    instrument: smu.identity,
    resource: smu.resource,
    cell: params.cell,
    softwareVersion: appVersion(),
  });
  callbacks.onRunCreated?.(runId);
  const writer = new RunWriter(store, runId, callbacks.batchSize ? { batchSize: callbacks.batchSize } : {});
  let result: RunResult;
  try {
    result = await runProcedure(smu, params, {
      ...callbacks,
      onPoint(point: Point) {
        writer.add(point);
        callbacks.onPoint?.(point);
      },
      onConfigured(settings) {
        store.setRunSettings(runId, settings);
        callbacks.onConfigured?.(settings);
      },
    });
  } catch (error) {
    writer.finish('failed', (error as Error).message);
    throw error;
  }
  writer.finish(result.status, result.error?.message);
  return { runId, result };
}
