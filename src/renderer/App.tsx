import { useCallback, useEffect, useState } from 'react';
import type { InstrumentStatus, PredictionProgress, SystemInfo } from '../shared/api';
import { getApi } from './api/client';
import { ErrorBanner } from './components/Field';
import { errorText, useApiEvent, useInstrumentStatus } from './hooks/api';
import { CharacterizePage } from './pages/CharacterizePage';
import { FirstRunGuide } from './pages/FirstRunGuide';
import { InstrumentPage } from './pages/InstrumentPage';
import { LevelsPage } from './pages/LevelsPage';
import { PredictPage } from './pages/PredictPage';
import { ProfilesPage } from './pages/ProfilesPage';
import { QueuePage } from './pages/QueuePage';
import { RunsPage } from './pages/RunsPage';
import { StatisticsPage } from './pages/StatisticsPage';

export const PAGES = [
  { id: 'instrument', title: 'Instrument' },
  { id: 'characterize', title: 'Characterize' },
  { id: 'queue', title: 'Queue' },
  { id: 'runs', title: 'Runs' },
  { id: 'statistics', title: 'Statistics' },
  { id: 'levels', title: 'Levels' },
  { id: 'profiles', title: 'Profiles' },
  { id: 'predict', title: 'Predict' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

export interface Route {
  page: PageId;
  params: URLSearchParams;
}

function parseHash(): Route {
  const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
  const page = (PAGES.find((p) => p.id === path)?.id ?? 'instrument') as PageId;
  return { page, params: new URLSearchParams(query ?? '') };
}

export function navigate(page: PageId, params: Record<string, string> = {}): void {
  const query = new URLSearchParams(params).toString();
  location.hash = `#/${page}${query ? `?${query}` : ''}`;
}

function useTheme(): [string, () => void] {
  const [theme, setTheme] = useState(
    () =>
      localStorage.getItem('reram-theme') ??
      (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  );
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('reram-theme', theme);
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}

function OutputControl({ status }: { status: InstrumentStatus | undefined }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const abort = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    try {
      await getApi().call['instrument.abort']({});
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }, []);
  const on = status?.output === true || Boolean(status?.activeRun);
  return (
    <div className="row">
      <span
        className={`badge ${status?.connected ? (on ? 'on' : 'ok') : ''}`}
        data-testid="output-state"
        aria-live="polite"
      >
        <span className="dot" aria-hidden="true" />
        {!status?.connected
          ? 'Not connected'
          : status.output === null
            ? 'Output unknown'
            : on
              ? 'Output ON'
              : 'Output off'}
      </span>
      <button
        type="button"
        className="abort"
        onClick={abort}
        disabled={!status?.connected || busy}
        title="Cancel any run and switch the output off (Alt+O)"
        accessKey="o"
      >
        Output OFF / Abort
      </button>
      {error ? <span className="field-error">{error}</span> : null}
    </div>
  );
}

interface Toast {
  id: number;
  text: string;
  status: string;
  href: string;
}

/**
 * Long jobs that outlive pages: a running prediction shows in the header (with its progress),
 * and its end is announced wherever the user is.
 */
function BackgroundJobs({ page }: { page: PageId }) {
  const [prediction, setPrediction] = useState<PredictionProgress | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    void getApi()
      .call['predictions.active']({})
      .then(setPrediction, () => undefined);
  }, []);
  useApiEvent('prediction.progress', setPrediction);
  useApiEvent(
    'prediction.ended',
    useCallback(
      (event: { id: number; status: string; title: string; error: string | null }) => {
        setPrediction(null);
        if (page === 'predict') return;
        const toast: Toast = {
          id: event.id,
          status: event.status,
          text: `Prediction ${event.id} ${event.status}: ${event.title}${event.error ? ` (${event.error})` : ''}`,
          href: '#/predict',
        };
        setToasts((list) => [...list.filter((t) => t.id !== event.id), toast]);
      },
      [page],
    ),
  );
  return (
    <>
      {prediction && page !== 'predict' ? (
        <a className="badge background-job" href="#/predict" data-testid="background-prediction">
          Prediction {prediction.id} running in background · {Math.round(100 * prediction.fraction)} %
        </a>
      ) : null}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.status}`} role="status" data-testid="toast">
            <span>{t.text}</span>
            <a href={t.href} onClick={() => setToasts((list) => list.filter((x) => x.id !== t.id))}>
              Open
            </a>
            <button
              type="button"
              aria-label="Dismiss"
              onClick={() => setToasts((list) => list.filter((x) => x.id !== t.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}

export function App() {
  const [info, setInfo] = useState<SystemInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [route, setRoute] = useState<Route>(parseHash);
  const [theme, toggleTheme] = useTheme();
  const status = useInstrumentStatus();

  useEffect(() => {
    getApi()
      .call['system.info']({})
      .then(setInfo, (e: Error) => setError(e.message));
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    // Escape anywhere aborts a running measurement: the keyboard path to Output OFF.
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && status?.activeRun) void getApi().call['instrument.abort']({});
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [status?.activeRun]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>ReRAM Bench</h1>
        <span className="muted" data-testid="system-info">
          {info
            ? `v${info.appVersion} · ${info.mode} mode`
            : error
              ? `Not connected: ${error}`
              : 'Connecting…'}
        </span>
        <span className="muted" data-testid="instrument-summary">
          {status?.connected
            ? `${status.identity?.make ?? ''} ${status.identity?.model ?? ''}${status.virtual ? ' (virtual)' : ''}`
            : ''}
        </span>
        <span className="spacer" />
        <BackgroundJobs page={route.page} />
        <OutputControl status={status} />
        <button
          type="button"
          onClick={toggleTheme}
          aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        >
          {theme === 'dark' ? 'Light' : 'Dark'} theme
        </button>
      </header>
      <nav className="nav" aria-label="Pages">
        {PAGES.map((p) => (
          <a key={p.id} href={`#/${p.id}`} aria-current={route.page === p.id ? 'page' : undefined}>
            {p.title}
          </a>
        ))}
      </nav>
      <main>
        <ErrorBanner error={error} />
        <FirstRunGuide status={status} />
        {route.page === 'instrument' ? <InstrumentPage status={status} /> : null}
        {route.page === 'characterize' ? <CharacterizePage status={status} /> : null}
        {route.page === 'queue' ? <QueuePage status={status} mode={info?.mode ?? 'browser'} /> : null}
        {route.page === 'runs' ? (
          <RunsPage
            key={route.params.toString()}
            mode={info?.mode ?? 'browser'}
            initialRun={route.params.get('run')}
            initialCell={route.params.get('cell')}
          />
        ) : null}
        {route.page === 'statistics' ? (
          <StatisticsPage status={status} mode={info?.mode ?? 'browser'} />
        ) : null}
        {route.page === 'levels' ? <LevelsPage initialRun={route.params.get('run')} /> : null}
        {route.page === 'profiles' ? <ProfilesPage mode={info?.mode ?? 'browser'} /> : null}
        {route.page === 'predict' ? (
          <PredictPage initialProfile={route.params.get('profile')} mode={info?.mode ?? 'browser'} />
        ) : null}
      </main>
    </div>
  );
}
