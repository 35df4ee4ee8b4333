import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { App } from '../../src/renderer/App';
import { setApiBridge } from '../../src/renderer/api/client';
import { fakeBridge } from './fake-bridge';
import { appHandlers } from './fixtures';

it('renders the app shell with what main reports', async () => {
  // Component test: the bridge is faked at the process boundary; e2e tests cover the real one.
  setApiBridge(
    fakeBridge(
      appHandlers({
        'system.info': () => ({
          appVersion: '9.9.9',
          mode: 'electron',
          platform: 'linux',
          nodeVersion: '20',
          dbPath: '/tmp/x.db',
          firstRun: true,
        }),
      }),
    ),
  );
  const host = document.createElement('div');
  document.body.append(host);
  await act(async () => createRoot(host).render(<App />));
  await expect.element(page.getByTestId('system-info')).toHaveTextContent('v9.9.9 · electron mode');
});
