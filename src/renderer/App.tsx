import { useEffect, useState } from 'react';
import type { SystemInfo } from '../shared/api';
import { getApi } from './api/client';

export function App() {
  const [info, setInfo] = useState<SystemInfo | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    getApi()
      .call['system.info']({})
      .then(setInfo, (e: Error) => setError(e.message));
  }, []);
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
      </header>
    </div>
  );
}
