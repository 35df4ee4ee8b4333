/**
 * The prediction job as the page sees it: the one running in main (kept current by its events,
 * and still there when the page is left and opened again), the history, the report open, and
 * start, cancel, open and delete.
 */
import { useCallback, useEffect, useState } from 'react';
import type {
  PredictionProgress,
  PredictionRecord,
  PredictionRequest,
  PredictionSummary,
} from '../../../shared/api';
import { getApi } from '../../api/client';
import { errorText, useApiEvent } from '../../hooks/api';

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

export function usePredictionJob(): PredictionJob {
  const [running, setRunning] = useState<PredictionProgress | null>(null);
  const [history, setHistory] = useState<PredictionSummary[]>([]);
  const [record, setRecord] = useState<PredictionRecord>();
  const [error, setError] = useState<string>();
  const [starting, setStarting] = useState(false);

  const refreshHistory = useCallback(async () => {
    const list = await getApi().call['predictions.list']({ limit: 50 });
    setHistory(list);
    return list;
  }, []);
  const open = useCallback((id: number) => {
    void getApi()
      .call['predictions.get']({ id })
      .then(setRecord, (e: unknown) => setError(errorText(e)));
  }, []);

  useEffect(() => {
    void getApi()
      .call['predictions.active']({})
      .then(setRunning, () => undefined);
    void refreshHistory().then(
      (list) => {
        const last = list.find((p) => p.status === 'completed');
        if (last)
          void getApi()
            .call['predictions.get']({ id: last.id })
            .then(setRecord, () => undefined);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [refreshHistory]);

  useApiEvent(
    'prediction.progress',
    useCallback((p: PredictionProgress) => setRunning(p), []),
  );
  useApiEvent(
    'prediction.ended',
    useCallback(
      (event: { id: number; status: string; error: string | null }) => {
        setRunning(null);
        void refreshHistory();
        if (event.status === 'completed') open(event.id);
        else if (event.status === 'failed') setError(`Prediction ${event.id} failed: ${event.error ?? ''}`);
      },
      [refreshHistory, open],
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
      void refreshHistory();
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
        return refreshHistory();
      })
      .catch((e: unknown) => setError(errorText(e)));
  };

  return { running, starting, history, record, error, setError, start, cancel, open, remove };
}
