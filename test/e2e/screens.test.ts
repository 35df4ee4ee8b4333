/**
 * Every page in both themes at 1280×720 and 1920×1080, after a real session on the virtual SMU
 * (forming, pulse train, a saved profile, a queue over cells, a prediction): the screenshots land
 * in test-artifacts/screens/ to be looked at, and the layout rules are checked on the way (run
 * buttons above the fold, nothing wider than the window).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startApp } from '../helpers/app';

let app: Awaited<ReturnType<typeof startApp>>;
let page: Page;
const SCREENS = join(ARTIFACTS, 'screens');

async function runProcedure(tab: string, button: RegExp, runId: number): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('button', { name: button }).click();
  await page
    .getByTestId('run-status')
    .getByText(new RegExp(`Run ${runId} (completed|failed|cancelled)`))
    .waitFor({ timeout: 120_000 });
}

describe('every page, both themes, two window sizes', () => {
  beforeAll(async () => {
    app = await startApp();
    page = app.page;
    mkdirSync(SCREENS, { recursive: true });
  });
  afterAll(() => app?.stop());

  it('a session, then screenshots with the layout checked', async () => {
    await page.locator('[name="timeScale"]').fill('0');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => page.getByTestId('idn').textContent(), { timeout: 30_000 }).toContain('SIM');
    await page.getByRole('link', { name: 'Characterize' }).click();
    await runProcedure('Forming', /Start forming/, 1);
    await runProcedure('Pulse train', /Start pulse train/, 2);
    await page.getByRole('link', { name: /Fit run 2/ }).click();
    await page.getByTestId('fit-quality').waitFor({ timeout: 30_000 });
    await page.locator('[name="profileName"]').fill('screens cell');
    if (await page.locator('[name="acknowledge"]').count())
      await page.locator('[name="acknowledge"]').check();
    await page.getByRole('button', { name: /Save (profile|anyway)/ }).click();
    await page.getByTestId('saved').waitFor();

    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    await page.locator('[name="recipeCells"]').fill('1-3');
    await page.getByRole('button', { name: /Run queue on 3 cells/ }).click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('queue-progress')
            .getAttribute('aria-labelledby')
            .then(() => page.getByTestId('queue-summary').textContent()),
        {
          timeout: 120_000,
        },
      )
      .toMatch(/6 of 6 steps/);

    await page.getByRole('link', { name: 'Predict', exact: true }).click();
    await page.locator('[name="profile"]').selectOption('screens cell');
    await page.getByText('More settings').click();
    await page.locator('[name="limit"]').fill('400');
    await page.locator('[name="trials"]').fill('3');
    await page.getByRole('button', { name: 'Run prediction' }).click();
    await page.getByTestId('report-meta').waitFor({ timeout: 180_000 });

    // Statistics across the cells the session measured: the die map and the CDF of each figure.
    await page.getByRole('link', { name: 'Statistics', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('stats-sample').textContent(), { timeout: 30_000 })
      .toMatch(/4 of 16 cells have figures/);
    expect(await page.getByTestId('die-map-chart').locator('g[data-cell]').count()).toBe(16);
    await page.locator('[name="chipFigure"]').selectOption('vForm');
    await expect
      .poll(() => page.getByTestId('cdf-chart').getAttribute('aria-label'))
      .toMatch(/V_form: cumulative distribution/);

    const pages = [
      ['instrument', '#/instrument'],
      ['characterize', '#/characterize?procedure=pulse-train'],
      ['queue', '#/queue'],
      ['runs', '#/runs?run=2'],
      ['statistics', '#/statistics'],
      ['levels', '#/levels?run=2'],
      ['profiles', '#/profiles'],
      ['predict', '#/predict'],
    ] as const;
    for (const [width, height] of [
      [1280, 720],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const theme of ['light', 'dark'] as const) {
        const current = await page.evaluate(() => document.documentElement.dataset.theme);
        if (current !== theme) await page.getByRole('button', { name: `Switch to ${theme} theme` }).click();
        for (const [name, hash] of pages) {
          await page.evaluate((h) => (location.hash = h), hash);
          await page.waitForTimeout(700);
          // Nothing wider than the window.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
          expect(overflow, `${name} at ${width}×${height} scrolls sideways`).toBeLessThanOrEqual(1);
          await page.screenshot({ path: join(SCREENS, `${name}-${width}x${height}-${theme}.png`) });
        }
        // The main action of the form pages is on screen without scrolling.
        for (const [hash, button] of [
          ['#/characterize?procedure=forming', /Start forming/],
          ['#/predict', /Run prediction/],
        ] as const) {
          await page.evaluate((h) => (location.hash = h), hash);
          await page.waitForTimeout(400);
          const box = await page.getByRole('button', { name: button }).boundingBox();
          expect(box, `${button} at ${width}×${height}`).not.toBeNull();
          expect(box!.y + box!.height, `${button} below the fold at ${width}×${height}`).toBeLessThanOrEqual(
            height,
          );
        }
      }
    }
  }, 600_000);
});
