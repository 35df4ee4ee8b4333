import { useCallback, useEffect, useState } from 'react';
import type { InstrumentStatus } from '../../shared/api';
import { getApi } from '../api/client';
import { useApiEvent } from '../hooks/api';

interface Progress {
  formed: boolean;
  trained: boolean;
  profile: boolean;
  predicted: boolean;
}

/**
 * The newcomer's path — connect → form → pulse train → fit & save → predict — as one compact
 * row of steps. It stays until every step is done or the user hides it, whatever is already in
 * the database, and each step links to where it happens.
 */
export function FirstRunGuide({ status }: { status: InstrumentStatus | undefined }) {
  const [hidden, setHidden] = useState(() => localStorage.getItem('reram-guide-hidden') === '1');
  const [progress, setProgress] = useState<Progress>();
  const refresh = useCallback(async () => {
    const api = getApi().call;
    const [runs, profiles, predictions] = await Promise.all([
      api['runs.list']({ limit: 500 }),
      api['profiles.list']({}),
      api['predictions.list']({ limit: 1 }),
    ]);
    setProgress({
      formed: runs.some((r) => r.procedure === 'forming' && r.status === 'completed'),
      trained: runs.some((r) => r.procedure === 'pulse-train' && r.status === 'completed'),
      profile: profiles.some((p) => !p.readOnly),
      predicted: predictions.some((p) => p.status === 'completed'),
    });
  }, []);
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);
  useApiEvent(
    'run.ended',
    useCallback(() => void refresh().catch(() => undefined), [refresh]),
  );
  useApiEvent(
    'prediction.ended',
    useCallback(() => void refresh().catch(() => undefined), [refresh]),
  );
  if (hidden || !progress) return null;
  const steps = [
    {
      done: Boolean(status?.connected),
      text: 'Connect',
      href: '#/instrument',
      hint: 'the Virtual SMU is ready',
    },
    {
      done: progress.formed,
      text: 'Form the cell',
      href: '#/characterize?procedure=forming',
      hint: 'Characterize → Forming',
    },
    {
      done: progress.trained,
      text: 'Run a pulse train',
      href: '#/characterize?procedure=pulse-train',
      hint: 'Characterize → Pulse train',
    },
    { done: progress.profile, text: 'Fit and save a profile', href: '#/levels', hint: 'Levels' },
    { done: progress.predicted, text: 'Predict: linear vs MES', href: '#/predict', hint: 'Predict' },
  ];
  if (steps.every((s) => s.done)) return null;
  return (
    <section className="guide" aria-label="Getting started">
      <strong>Getting started:</strong>
      <ol>
        {steps.map((s) => (
          <li key={s.text} data-done={s.done}>
            <a href={s.href} title={s.hint}>
              {s.done ? '✓ ' : ''}
              {s.text}
            </a>
          </li>
        ))}
      </ol>
      <button
        type="button"
        onClick={() => {
          localStorage.setItem('reram-guide-hidden', '1');
          setHidden(true);
        }}
      >
        Hide guide
      </button>
    </section>
  );
}
