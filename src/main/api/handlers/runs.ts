/** Recorded runs: lists, traces, points, CSV, hiding and deleting. */
import { deleteRuns, runCsvFile } from '../../services/runs';
import type { FeatureHandlers, HandlerContext } from './context';
import { OK } from './context';

export const runHandlers = ({ store, instrument }: HandlerContext) =>
  ({
    'runs.list': async ({ limit }) => store.runs.listRuns(limit),
    'runs.get': async ({ runId }) => store.runs.getRun(runId),
    'runs.query': async (query) => store.runs.queryRuns(query),
    'runs.settings': async ({ runId }) => store.runs.runSettings(runId),
    'runs.trace': async ({ runId }) => store.runs.runTrace(runId),
    'runs.hide': async ({ runIds, hidden }) => {
      store.runs.setRunsHidden(runIds, hidden);
      return OK;
    },
    'runs.delete': async ({ runIds }) => {
      deleteRuns(store, runIds, instrument.status().activeRun?.runId);
      return OK;
    },
    'runs.csv': async ({ runId }) => runCsvFile(store, runId),
    'runs.points': async ({ runId, afterSeq, limit }) => {
      store.runs.getRun(runId);
      return store.runs.getPoints(runId, {
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
    },
  }) satisfies FeatureHandlers;
