/**
 * A run's fit as the Levels page shows it: its points and the level table fitted at the chosen
 * bit width and spacing, fetched again when any of them changes (a late answer for a run no
 * longer shown is dropped). A fit that fails still shows the run's points, with the reason.
 */
import { useEffect, useState } from 'react';
import type { LevelTable } from '../../../shared/levels/level-table';
import type { Point } from '../../../shared/run';
import { getApi } from '../../api/client';
import { errorText } from '../../hooks/api';
import type { FitQuality } from './charts';

export type Spacing = 'pulses' | 'conductance';

export interface RunFit {
  points: Point[];
  table: LevelTable | undefined;
  quality: FitQuality | undefined;
  /** The states the whole run holds (its table at every measured state). */
  fullLevels: number;
  warnings: string[];
  error: string | undefined;
  /** A profile name to offer: the run's cell and id. */
  suggestedName: string | undefined;
}

const EMPTY: RunFit = {
  points: [],
  table: undefined,
  quality: undefined,
  fullLevels: 0,
  warnings: [],
  error: undefined,
  suggestedName: undefined,
};

export function useRunFit(runId: number | undefined, bits: string, spacing: Spacing): RunFit {
  const [fit, setFit] = useState<RunFit>(EMPTY);
  useEffect(() => {
    if (runId === undefined) return;
    let live = true;
    setFit((f) => ({ ...f, table: undefined, quality: undefined, error: undefined }));
    const api = getApi().call;
    void (async () => {
      try {
        const [points, result] = await Promise.all([
          api['runs.points']({ runId }),
          api['levels.fit']({ runId, spacing, ...(bits === 'all' ? {} : { bits: Number(bits) }) }),
        ]);
        if (!live) return;
        setFit({
          points,
          table: result.table,
          quality: result.quality,
          fullLevels: result.fullLevels,
          warnings: result.warnings,
          error: undefined,
          suggestedName: `cell ${result.run.cell ?? 0} · run ${runId}`,
        });
      } catch (e) {
        if (!live) return;
        const error = errorText(e);
        setFit((f) => ({ ...f, error }));
        const points = await api['runs.points']({ runId }).catch(() => []);
        if (live) setFit((f) => ({ ...f, points }));
      }
    })();
    return () => {
      live = false;
    };
  }, [runId, bits, spacing]);
  return fit;
}
