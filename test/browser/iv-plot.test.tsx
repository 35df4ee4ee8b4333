import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { IvPlot } from '../../src/renderer/components/IvPlot';

it('a SET sweep on log |I| with its V_SET drawn as a labelled dashed line at that voltage', async () => {
  const v = Array.from({ length: 21 }, (_, k) => (k <= 10 ? k * 0.15 : (20 - k) * 0.15));
  const i = v.map((x, k) => (k >= 8 && k <= 12 ? 1e-3 : 1e-6 * Math.max(x, 0.01)));
  const host = document.createElement('div');
  host.style.width = '800px';
  document.body.append(host);
  await act(async () =>
    createRoot(host).render(
      <IvPlot
        title="I–V of run 3"
        log
        width={800}
        series={[{ label: 'run 3', color: '#1f6feb', v, i }]}
        markers={[{ v: 1.2, label: 'V_SET 1.2 V (run 3)', color: '#1f6feb' }]}
      />,
    ),
  );
  const marker = host.querySelector('[data-marker="V_SET 1.2 V (run 3)"]')!;
  expect(marker.textContent).toBe('V_SET 1.2 V (run 3)');
  const line = marker.querySelector('line')!;
  // On the voltage axis: between the ticks for 1 V and 1.5 V, where 1.2 V is.
  const x = Number(line.getAttribute('x1'));
  const tickX = (label: string) =>
    Number([...host.querySelectorAll('text')].find((t) => t.textContent === label)!.getAttribute('x'));
  expect(x).toBeGreaterThan(tickX('1 V'));
  expect(x).toBeLessThan(tickX('1.5 V'));
  expect(line.getAttribute('stroke-dasharray')).toBe('5 3');
});
