/** Rules on recorded runs that sit above the store: deleting, and the CSV as a file. */
import { ReramError } from '../../shared/errors';
import { runCsvName, runToCsv } from '../store/csv';
import type { Store } from '../store/store';

/** Deletes the runs, all or none: a run still recording is refused, and every id must exist. */
export function deleteRuns(
  store: Store,
  runIds: readonly number[],
  recordingRunId: number | undefined,
): void {
  if (recordingRunId !== undefined && runIds.includes(recordingRunId))
    throw new ReramError('CONFLICT', `Run ${recordingRunId} is recording; cancel it before deleting it.`);
  for (const id of runIds) store.runs.getRun(id);
  for (const id of runIds) store.runs.deleteRun(id);
}

/** One run as a CSV file, its settings in the header. */
export function runCsvFile(store: Store, runId: number): { fileName: string; text: string; mime: string } {
  const run = store.runs.getRun(runId);
  return {
    fileName: runCsvName(run),
    text: runToCsv(run, store.runs.runSettings(runId), store.runs.iteratePoints(runId)),
    mime: 'text/csv',
  };
}
