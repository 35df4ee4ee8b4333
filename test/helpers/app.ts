import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { REPO_ROOT, startCli, stopChild } from './cli';

export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/** The real backend in browser mode (`reram-bench serve`) on a temp database, and Chromium on it. */
export async function startApp(): Promise<{
  url: string;
  page: Page;
  browser: Browser;
  dbPath: string;
  downloads: string;
  stop: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'reram-e2e-'));
  const dbPath = join(dir, 'bench.db');
  const { child, match } = await startCli(
    ['serve', '--db', dbPath],
    /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/,
  );
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(match[1]!);
  return {
    url: match[1]!,
    page,
    browser,
    dbPath,
    downloads: dir,
    stop: async () => {
      await browser.close();
      await stopChild(child);
      if (errors.length) throw new Error(`errors in the page: ${errors.join('\n')}`);
    },
  };
}
