import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApp } from '../helpers/app';
import { outputIsOn } from '../helpers/sim';

let app: Awaited<ReturnType<typeof startApp>>;
beforeAll(async () => {
  app = await startApp();
});
afterAll(() => app?.stop());

it('pressing Abort during a pulse train turns the virtual SMU output off within 1 s', async () => {
  const page = app.page;
  // The 2450 dialect keeps its output on (at 0 V between pulses) for the whole run; real time.
  await page.locator('[name="model"]').selectOption('2450');
  await page.locator('[name="timeScale"]').fill('1');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const resource = (await page.getByTestId('resource').textContent({ timeout: 30_000 }))!;
  const port = Number(resource.split('::')[2]);

  await page.getByRole('link', { name: 'Characterize' }).click();
  await page.getByRole('tab', { name: 'Forming' }).click();
  await page.getByRole('button', { name: /Start forming/ }).click();
  await page
    .getByTestId('run-status')
    .getByText(/Run 1 completed/)
    .waitFor({ timeout: 60_000 });

  await page.getByRole('tab', { name: 'Pulse train' }).click();
  await page.locator('[name="cycles"]').fill('50');
  await page.getByRole('button', { name: /Start pulse train/ }).click();
  await page
    .getByTestId('run-status')
    .getByText(/Run 2 is recording/)
    .waitFor();
  await expect
    .poll(() => page.getByTestId('progress-text').textContent(), { timeout: 20_000 })
    .toMatch(/^[1-9]\d* %|· [1-9]\d*\//);
  // The 2400 switches its output on for each source-delay-measure cycle (auto output-off): wait
  // for a moment inside one, so the abort meets a live source.
  await expect.poll(() => outputIsOn(port), { timeout: 10_000, interval: 5 }).toBe(true);
  await page.getByTestId('output-state').getByText('Output ON').waitFor();

  const pressed = Date.now();
  await page.getByRole('button', { name: 'Output OFF / Abort' }).click();
  let off = false;
  while (Date.now() - pressed < 3000) {
    if (!(await outputIsOn(port))) {
      off = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const elapsed = Date.now() - pressed;
  console.log(`Abort → output off after ${elapsed} ms`);
  expect(off).toBe(true);
  expect(elapsed).toBeLessThan(1000);
  await page
    .getByTestId('run-status')
    .getByText(/Run 2 cancelled/)
    .waitFor();
  await page.getByTestId('output-state').getByText('Output off').waitFor();
  // A 2400 is off between its cycles anyway: after the abort no cycle switches it on again.
  for (const started = Date.now(); Date.now() - started < 1000;) {
    expect(await outputIsOn(port)).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
  }
});
