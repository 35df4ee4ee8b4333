/**
 * The last run as this page shows it: its progress and end from main's events, its points into
 * the live buffers as they arrive, and, when the page opens again, the points and the end it
 * missed while away.
 */
import { useCallback, useEffect, useState, type SetStateAction } from 'react';
import { getApi } from '../../api/client';
import { useApiEvent } from '../../hooks/api';
import { addPoints, live, type RunView } from './live';

export function useLiveRun() {
  const [run, setRunState] = useState<RunView | undefined>(live.run);
  // The buffers live outside React: a new version redraws the I–V plot.
  const [, setIvVersion] = useState(0);
  const setRun = useCallback((next: SetStateAction<RunView | undefined>) => {
    setRunState((current) => {
      const value = typeof next === 'function' ? next(current) : next;
      live.run = value;
      return value;
    });
  }, []);
  useEffect(() => {
    const last = live.run;
    if (!last) return;
    let current = true;
    const api = getApi().call;
    void api['runs.points']({ runId: last.runId, afterSeq: live.seq }).then(
      (points) => {
        if (!current) return;
        addPoints(points);
        setIvVersion((v) => v + 1);
      },
      () => undefined,
    );
    if (!last.ended)
      void api['runs.get']({ runId: last.runId }).then(
        (stored) => {
          if (!current || stored.status === 'running') return;
          setRun((r) =>
            r && r.runId === stored.id && !r.ended
              ? {
                  ...r,
                  done: r.total,
                  ended: {
                    runId: stored.id,
                    status:
                      stored.status === 'completed' || stored.status === 'cancelled'
                        ? stored.status
                        : 'failed',
                    points: stored.pointCount,
                    error: stored.error ? { code: 'INTERNAL', message: stored.error } : null,
                    summary: stored.summary ?? {},
                  },
                }
              : r,
          );
        },
        () => undefined,
      );
    return () => {
      current = false;
    };
  }, [setRun]);
  useApiEvent(
    'run.points',
    useCallback(
      (event) => {
        if (event.runId !== run?.runId) return;
        addPoints(event.points);
        setIvVersion((v) => v + 1);
      },
      [run?.runId],
    ),
  );
  useApiEvent(
    'run.progress',
    useCallback(
      (event) =>
        setRun((r) =>
          r && r.runId === event.runId
            ? {
                ...r,
                done: event.done,
                total: event.total,
                remainingS: event.remainingS,
                message: event.message,
                targets: event.targets ?? r.targets,
              }
            : r,
        ),
      [setRun],
    ),
  );
  useApiEvent(
    'run.ended',
    useCallback(
      (event) =>
        setRun((r) =>
          r && r.runId === event.runId
            ? { ...r, ended: event, done: event.status === 'completed' ? r.total : r.done }
            : r,
        ),
      [setRun],
    ),
  );

  /** A new run: the buffers start empty. */
  const begin = (runId: number, procedure: string) => {
    live.buffer.clear();
    live.iv.clear();
    live.tally.clear();
    live.seq = -1;
    setIvVersion((v) => v + 1);
    setRun({ runId, procedure, done: 0, total: 1, remainingS: null });
  };
  return { run, begin, running: Boolean(run && !run.ended) };
}
