import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser';
import { REPO_ROOT, stopChild } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

describe('npm start without an Electron binary', () => {
  it('says so in one line, serves browser mode, and headless Chromium renders the app', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'scripts', 'start.mjs'), '--port', '0', '--db', tempDbPath()],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no URL printed\nstdout: ${stdout}\nstderr: ${stderr}`)),
        60_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = stdout.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
        if (match) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code}\n${stderr}`)));
    });
    try {
      const fallbackLines = stderr
        .split('\n')
        .filter((line) => line.includes('starting browser mode instead'));
      expect(fallbackLines).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(url);
        await expect
          .poll(() => page.textContent('[data-testid=system-info]'), { timeout: 15_000 })
          .toContain('browser mode');
        expect(await page.title()).toBe('ReRAM Bench');
      } finally {
        await browser.close();
      }
    } finally {
      expect(await stopChild(child)).not.toBeNull();
    }
  });
});
