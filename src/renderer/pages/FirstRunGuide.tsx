import { useState } from 'react';
import type { InstrumentStatus } from '../../shared/api';
import { useApiQuery } from '../hooks/api';

interface Progress {
  formed: boolean;
  trained: boolean;
  programmed: boolean;
  profile: boolean;
  predicted: boolean;
}

/** What the database says is done, asked again whenever a run or a prediction ends; undefined until every list is read. */
function useProgress(): Progress | undefined {
  const reloadOn = ['run.ended', 'prediction.ended'] as const;
  const runs = useApiQuery('runs.list', { limit: 500 }, { reloadOn }).data;
  const profiles = useApiQuery('profiles.list', {}, { reloadOn }).data;
  // Any completed one ticks the step (the latest may be cancelled or still running).
  const predictions = useApiQuery('predictions.list', { limit: 200 }, { reloadOn }).data;
  if (!runs || !profiles || !predictions) return undefined;
  const completed = (procedure: string) =>
    runs.some((r) => r.procedure === procedure && r.status === 'completed');
  return {
    formed: completed('forming'),
    trained: completed('pulse-train'),
    programmed: completed('write-verify'),
    profile: profiles.some((p) => !p.readOnly),
    predicted: predictions.some((p) => p.status === 'completed'),
  };
}

/**
 * The newcomer's path — connect → form → pulse train → write-verify → fit & save → predict — as
 * one compact
 * row of steps, ticked from what is in the database, each linking to where it happens. It stays
 * until the user hides it (all done, it says so), and a hidden guide can be shown again.
 * The pulse train measures the curve (window, NL); the table comes from write-verify, because
 * open-loop pulses random-walk the state by the device's per-pulse noise (5 % of the window per
 * pulse on AlOx/HfO2), so the states of a train overlap beyond 2 bits, while verified levels do not.
 */
export function FirstRunGuide({ status }: { status: InstrumentStatus | undefined }) {
  const [hidden, setHidden] = useState(() => localStorage.getItem('reram-guide-hidden') === '1');
  const progress = useProgress();
  if (!progress) return null;
  if (hidden)
    return (
      <div className="guide-reopen">
        <button
          type="button"
          className="link-button"
          onClick={() => {
            localStorage.removeItem('reram-guide-hidden');
            setHidden(false);
          }}
        >
          Show the getting-started guide
        </button>
      </div>
    );
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
      hint: 'Characterize → Pulse train: the curve, its window and non-linearity',
    },
    {
      done: progress.programmed,
      text: 'Program levels (write-verify)',
      href: '#/characterize?procedure=write-verify',
      hint: 'Characterize → Write-verify: levels that land in verified bands, the table to fit',
    },
    { done: progress.profile, text: 'Fit and save a profile', href: '#/levels', hint: 'Levels' },
    { done: progress.predicted, text: 'Predict: linear vs MES', href: '#/predict', hint: 'Predict' },
  ];
  const allDone = steps.every((s) => s.done);
  return (
    <section className="guide" aria-label="Getting started">
      <strong>{allDone ? 'Getting started: all done ✓' : 'Getting started:'}</strong>
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
