import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { LiveBuffer, LivePlot } from '../../src/renderer/components/LivePlot';

it('streams 100k reads into the live plot, redrawing at most once per frame', async () => {
  const buffer = new LiveBuffer();
  const frames: number[] = [];
  const host = document.createElement('div');
  host.style.width = '900px';
  document.body.append(host);
  await act(async () =>
    createRoot(host).render(<LivePlot buffer={buffer} onFrame={(ms) => frames.push(ms)} />),
  );
  for (let chunk = 0; chunk < 100; chunk++) {
    for (let k = 0; k < 1000; k++) {
      const n = chunk * 1000 + k;
      buffer.push(1e-5 + 4e-5 * (1 - Math.exp(-(n % 80) / 20)), Math.floor(n / 40) % 2 ? 'ltd' : 'ltp');
    }
    await new Promise((r) => requestAnimationFrame(r));
  }
  await new Promise((r) => requestAnimationFrame(r));
  expect(buffer.length).toBe(100_000);
  expect(buffer.min).toBeCloseTo(1e-5, 12);
  expect(frames.length).toBeGreaterThan(10);
  expect(frames.length).toBeLessThanOrEqual(102);
  expect(host.querySelector('canvas')).not.toBeNull();
  console.log(
    `live plot redraws: ${frames.length}, median ${frames.sort((a, b) => a - b)[frames.length >> 1]!.toFixed(1)} ms with up to 100k points`,
  );
});
