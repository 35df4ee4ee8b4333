/**
 * The guided path with every default, as a newcomer clicks it: the guide's links, the suggested
 * settings, the default virtual device — ending with linear and MES on the Predict page.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startApp } from '../helpers/app';

let app: Awaited<ReturnType<typeof startApp>>;
let page: Page;
beforeAll(async () => {
  app = await startApp();
  page = app.page;
});
afterAll(() => app?.stop());

async function waitForRun(runId: number): Promise<string> {
  const t0 = Date.now();
  const status = page.getByTestId('run-status');
  await status
    .getByText(new RegExp(`Run ${runId} (completed|failed|cancelled)`))
    .waitFor({ timeout: 240_000 });
  console.log(`run ${runId}: ${Date.now() - t0} ms`);
  return (await status.textContent()) ?? '';
}

it('connect → form → pulse train → write-verify → fit → save → predict, all defaults, through the guide: a good table', async () => {
  const guide = page.getByRole('region', { name: 'Getting started' });
  await guide.getByRole('link', { name: 'Connect' }).click();
  // The one setting changed: the virtual instrument's clock runs 5× fast (a rehearsal setting,
  // not a procedure or fit default), so the ~1300-point write-verify takes ~20 s, not ~100 s.
  await page.locator('[name="timeScale"]').fill('0.2');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect.poll(() => page.getByTestId('idn').textContent(), { timeout: 30_000 }).toContain('SIM');

  await guide.getByRole('link', { name: 'Form the cell' }).click();
  await page.getByRole('button', { name: 'Start forming' }).click();
  expect(await waitForRun(1)).toMatch(/completed.*Formed at \d+(\.\d+)? V\./);

  await guide.getByRole('link', { name: 'Run a pulse train' }).click();
  await page.getByRole('button', { name: 'Start pulse train' }).click();
  expect(await waitForRun(2)).toMatch(/Run 2 completed/);

  // The train measured the curve; write-verify programs the levels the table is made of, and
  // with every default that table is good: no acknowledgement, no "Save anyway".
  await guide.getByRole('link', { name: 'Program levels (write-verify)' }).click();
  await page.getByRole('button', { name: 'Start write-verify' }).click();
  expect(await waitForRun(3)).toMatch(/Run 3 completed/);

  await page.getByRole('link', { name: /Fit run 3/ }).click();
  const quality = page.getByTestId('fit-quality');
  await quality.waitFor({ timeout: 30_000 });
  expect(await quality.getAttribute('class')).toContain('good');
  expect(await quality.textContent()).toMatch(/^Good fit/);
  expect(await page.locator('[name="acknowledge"]').count()).toBe(0);
  await page.getByRole('button', { name: 'Save profile', exact: true }).click();
  await page.getByTestId('saved').waitFor();

  await page.getByRole('link', { name: /Predict with it/ }).click();
  await page.getByRole('button', { name: 'Run prediction' }).click();
  await page.getByTestId('report-meta').waitFor({ timeout: 300_000 });
  const accuracy = (method: string) =>
    page
      .locator(`[data-testid=results] tr[data-method="${method}"] td[data-accuracy]`)
      .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-accuracy'))));
  const [linear, mes] = [await accuracy('linear'), await accuracy('mes')];
  console.log(
    `guided defaults: linear ${linear.map((a) => (100 * a).toFixed(2)).join('/')} %, MES ${mes.map((a) => (100 * a).toFixed(2)).join('/')} %`,
  );
  expect(linear.length).toBeGreaterThan(0);
  expect(mes.length).toBe(linear.length);
  for (const a of [...linear, ...mes]) expect(a).toBeGreaterThan(0.1);
  await page.getByTestId('difference-chart').waitFor();
  // The guide is done and says so; hidden, it can be shown again.
  await expect.poll(() => guide.textContent()).toMatch(/all done ✓/);
  await guide.getByRole('button', { name: 'Hide guide' }).click();
  await page.getByRole('button', { name: 'Show the getting-started guide' }).click();
  await expect.poll(() => guide.textContent()).toMatch(/all done ✓/);
}, 600_000);
