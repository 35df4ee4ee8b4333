// Streams 100k reads into the app's LivePlot at a steady rate and records frame times.
import { createRoot } from 'react-dom/client';
import { LiveBuffer, LivePlot } from '../../src/renderer/components/LivePlot';

declare global {
  interface Window {
    benchResult?: { frames: number[]; draws: number[]; points: number };
  }
}

const TOTAL = 100_000;
const PER_FRAME = 1000;
const buffer = new LiveBuffer();
const draws: number[] = [];
createRoot(document.getElementById('root')!).render(
  <LivePlot buffer={buffer} onFrame={(ms) => draws.push(ms)} />,
);

const frames: number[] = [];
let last = performance.now();
let n = 0;
const tick = (now: number) => {
  frames.push(now - last);
  last = now;
  for (let k = 0; k < PER_FRAME && n < TOTAL; k++, n++) {
    const phase = Math.floor(n / 40) % 2 ? 'ltd' : 'ltp';
    const p = n % 40;
    buffer.push(
      1e-5 + 4e-5 * (phase === 'ltp' ? 1 - Math.exp(-p / 15) : Math.exp(-p / 15)) + 1e-6 * Math.sin(n),
      phase,
    );
  }
  if (n < TOTAL) requestAnimationFrame(tick);
  else
    setTimeout(() => (window.benchResult = { frames: frames.slice(2), draws, points: buffer.length }), 200);
};
requestAnimationFrame(tick);
