import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { setApiBridge } from '../../src/renderer/api/client';
import { ProfilesPage } from '../../src/renderer/pages/ProfilesPage';
import { fakeBridge } from './fake-bridge';

const summary = (name: string, readOnly: boolean) => ({
  name,
  materialStack: 'x',
  source: readOnly ? 'preset' : 'measured',
  readOnly,
  tables: [{ name, levels: 8, gMin: 1e-6, gMax: 8e-6 }],
  updatedAt: null,
});

it('searches the library and shows an import error in the file’s own words', async () => {
  const bridge = fakeBridge({
    'profiles.list': () => [
      summary('AlOx/HfO2', true),
      summary('Ag:a-Si', true),
      summary('wafer 7 die 3', false),
    ],
    'profiles.get': () => {
      throw new Error('not loaded in this test');
    },
    'profiles.import': () => {
      throw new Error(
        'device.json is not a valid device profile: tables[0].levels[2].g: Too small: expected number to be >=0',
      );
    },
  });
  setApiBridge(bridge);
  const host = document.createElement('div');
  document.body.append(host);
  await act(async () => createRoot(host).render(<ProfilesPage mode="browser" />));
  await expect.element(page.getByText('wafer 7 die 3')).toBeVisible();
  await userEvent.fill(page.getByRole('textbox', { name: 'Search' }), 'wafer');
  await expect.poll(() => host.querySelectorAll('tr[data-profile]').length).toBe(1);
  await expect.element(page.getByRole('button', { name: 'Delete wafer 7 die 3' })).toBeVisible();

  const input = host.querySelector<HTMLInputElement>('[data-testid=import-file]')!;
  const file = new File(['{"schemaVersion":1}'], 'device.json', { type: 'application/json' });
  const transfer = new DataTransfer();
  transfer.items.add(file);
  input.files = transfer.files;
  await act(async () => input.dispatchEvent(new Event('change', { bubbles: true })));
  await expect
    .element(page.getByText(/Could not import device\.json: .*tables\[0\]\.levels\[2\]\.g/))
    .toBeVisible();
  expect(bridge.calls.find(([m]) => m === 'profiles.import')?.[1]).toMatchObject({
    fileName: 'device.json',
    text: '{"schemaVersion":1}',
  });
});
