/**
 * Live-plot frame time in headless Chromium while 100k points stream in (1,000 per frame),
 * through the app's own LivePlot component. The reference is the browser's idle frame interval,
 * measured in the same run on an empty page.
 */
import react from '@vitejs/plugin-react';
import { join } from 'node:path';
import { createServer } from 'vite';
import { launchChromium } from '../test/helpers/browser';
import { fmt, median, report } from './harness';

export async function benchUi(): Promise<void> {
  const server = await createServer({
    root: join(import.meta.dirname, 'ui'),
    plugins: [react()],
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1' },
    configFile: false,
  });
  await server.listen();
  const address = server.resolvedUrls!.local[0]!;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto('about:blank');
    // A string, not a function: tsx's transform would add helpers the page does not have.
    const idle = (await page.evaluate(`new Promise((resolve) => {
      const out = [];
      let last = performance.now();
      const tick = (now) => { out.push(now - last); last = now; if (out.length < 60) requestAnimationFrame(tick); else resolve(out.slice(2)); };
      requestAnimationFrame(tick);
    })`)) as number[];
    await page.goto(address);
    await page.waitForFunction('window.benchResult !== undefined', undefined, { timeout: 120_000 });
    const result = (await page.evaluate('window.benchResult')) as {
      frames: number[];
      draws: number[];
      points: number;
    };
    const frame = median(result.frames);
    report(
      `Live plot while ${fmt(result.points)} points stream in (1,000 per frame), headless Chromium`,
      [
        ['median frame interval', `${fmt(frame)} ms (target ≤ 33 ms: ${frame <= 33 ? 'met' : 'NOT met'})`],
        [
          '95th percentile frame interval',
          `${fmt([...result.frames].sort((a, b) => a - b)[Math.floor(result.frames.length * 0.95)]!)} ms`,
        ],
        ['median redraw (uPlot setData)', `${fmt(median(result.draws))} ms`],
        ['idle frame interval, same browser', `${fmt(median(idle))} ms`],
      ],
      { ratio: frame / median(idle), target: 'frame time vs idle frame', pass: frame <= 33 },
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
