import { useCallback, useEffect, useState } from 'react';
import type { InstrumentStatus } from '../../shared/api';
import { getApi } from '../api/client';
import { useApiEvent } from '../hooks/api';

interface Progress {
  formed: boolean;
  trained: boolean;
  profile: boolean;
}

/** The newcomer's path: connect → form → pulse train → fit & save → predict, with where each happens. */
export function FirstRunGuide({ status }: { status: InstrumentStatus | undefined }) {
  const [hidden, setHidden] = useState(() => localStorage.getItem('reram-guide-hidden') === '1');
  const [progress, setProgress] = useState<Progress>({ formed: false, trained: false, profile: false });
  const [predicted, setPredicted] = useState(() => sessionStorage.getItem('reram-predicted') === '1');
  const refresh = useCallback(async () => {
    const api = getApi().call;
    const [runs, profiles] = await Promise.all([api['runs.list']({ limit: 200 }), api['profiles.list']({})]);
    setProgress({
      formed: runs.some((r) => r.procedure === 'forming' && r.status === 'completed'),
      trained: runs.some((r) => r.procedure === 'pulse-train' && r.status === 'completed'),
      profile: profiles.some((p) => !p.readOnly),
    });
    setPredicted(sessionStorage.getItem('reram-predicted') === '1');
  }, []);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 3000);
    return () => clearInterval(timer);
  }, [refresh]);
  useApiEvent(
    'run.ended',
    useCallback(() => void refresh(), [refresh]),
  );
  if (hidden) return null;
  const steps = [
    {
      done: Boolean(status?.connected),
      text: 'Connect to the Virtual SMU',
      href: '#/instrument',
      hint: 'Instrument page: Virtual SMU is selected; press Connect.',
    },
    {
      done: progress.formed,
      text: 'Form the cell',
      href: '#/characterize?procedure=forming',
      hint: 'Characterize → Forming: a compliance-limited ramp.',
    },
    {
      done: progress.trained,
      text: 'Run a pulse train',
      href: '#/characterize?procedure=pulse-train',
      hint: 'Characterize → Pulse train: potentiation and depression curves.',
    },
    {
      done: progress.profile,
      text: 'Fit it and save a device profile',
      href: '#/levels',
      hint: 'Levels: pick the run, check the fit, save the profile.',
    },
    {
      done: predicted,
      text: 'Predict LeNet-5: linear vs MES',
      href: '#/predict',
      hint: 'Predict: the built-in LeNet-5 and MNIST test set are ready.',
    },
  ];
  return (
    <section className="card guide" aria-label="Getting started">
      <div className="row">
        <h2 style={{ margin: 0 }}>Getting started — about two minutes</h2>
        <span className="spacer" />
        <button
          type="button"
          onClick={() => {
            localStorage.setItem('reram-guide-hidden', '1');
            setHidden(true);
          }}
        >
          Hide guide
        </button>
      </div>
      <ol>
        {steps.map((s) => (
          <li key={s.text} data-done={s.done}>
            <a href={s.href}>{s.text}</a> {s.done ? '✓' : ''} <span className="muted">— {s.hint}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
