/**
 * The prediction job as the page sees it: the one running in main (kept current by its events,
 * and still there when the page is left and opened again), the history, the report open, and
 * start, cancel, open and delete.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  PredictionProgress,
  PredictionRecord,
  PredictionRequest,
  PredictionSummary,
} from '../../../shared/api';
import { getApi } from '../../api/client';
import { errorText, useApiEvent, useApiQuery } from '../../hooks/api';

export interface PredictionJob {
  running: PredictionProgress | null;
  starting: boolean;
  history: PredictionSummary[];
  record: PredictionRecord | undefined;
  error: string | undefined;
  setError(error: string | undefined): void;
  start(request: () => Promise<PredictionRequest>): Promise<void>;
  cancel(): void;
  open(id: number): void;
  remove(id: number): void;
}

const NO_PREDICTIONS: PredictionSummary[] = [];

export function usePredictionJob(): PredictionJob {
  const [running, setRunning] = useState<PredictionProgress | null>(null);
  const [record, setRecord] = useState<PredictionRecord>();
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  // The history follows every prediction that ends (here or from the CLI).
  const historyQuery = useApiQuery('predictions.list', { limit: 50 }, { reloadOn: ['prediction.ended'] });
  const history = historyQuery.data ?? NO_PREDICTIONS;
  const reloadHistory = historyQuery.reload;
  const open = useCallback((id: number) => {
    void getApi()
      .call['predictions.get']({ id })
      .then(setRecord, (e: unknown) => setError(errorText(e)));
  }, []);

  useEffect(() => {
    void getApi()
      .call['predictions.active']({})
      .then(setRunning, () => undefined);
    // The workers load while the user chooses; a failure here shows when a prediction starts.
    void getApi()
      .call['predictions.warm']({})
      .catch(() => undefined);
  }, []);
  // Once, when the history first arrives: open the latest completed report.
  const openedLatest = useRef(false);
  useEffect(() => {
    if (openedLatest.current || !historyQuery.data) return;
    openedLatest.current = true;
    const last = historyQuery.data.find((p) => p.status === 'completed');
    if (last)
      void getApi()
        .call['predictions.get']({ id: last.id })
        .then(setRecord, () => undefined);
  }, [historyQuery.data]);

  useApiEvent(
    'prediction.progress',
    useCallback((p: PredictionProgress) => setRunning(p), []),
  );
  useApiEvent(
    'prediction.ended',
    useCallback(
      (event: { id: number; status: string; error: string | null }) => {
        setRunning(null);
        if (event.status === 'completed') open(event.id);
        else if (event.status === 'failed') setError(`Prediction ${event.id} failed: ${event.error ?? ''}`);
      },
      [open],
    ),
  );

  const start = async (request: () => Promise<PredictionRequest>) => {
    setError(undefined);
    setStarting(true);
    try {
      const { id } = await getApi().call['predictions.start'](await request());
      setRunning({
        id,
        fraction: 0,
        message: 'starting',
        elapsedS: 0,
        remainingS: null,
        imagesPerSecond: null,
        partial: [],
      });
      sessionStorage.setItem('reram-predicted', '1');
      reloadHistory();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setStarting(false);
    }
  };

  // No Esc here: Esc is the instrument's Output OFF only; a prediction stops by its own button.
  const cancel = () => {
    if (running)
      void getApi()
        .call['predictions.cancel']({ id: running.id })
        .catch(() => undefined);
  };

  const remove = (id: number) => {
    if (!confirm(`Delete prediction ${id}? Its report is removed from the database.`)) return;
    void getApi()
      .call['predictions.delete']({ id })
      .then(() => {
        if (record?.id === id) setRecord(undefined);
        reloadHistory();
      })
      .catch((e: unknown) => setError(errorText(e)));
  };

  return {
    running,
    starting,
    history,
    record,
    // A history that cannot be read says so until it can.
    error: error ?? historyQuery.error,
    setError,
    start,
    cancel,
    open,
    remove,
  };
}
