import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { LiveData } from '../../src/renderer/pages/characterize/LiveData';
import { addPoints, live } from '../../src/renderer/pages/characterize/live';
import { makePoint } from '../helpers/points';

it('a pulse train whose pulses measure current only says why its I–V plot is empty', async () => {
  live.iv.clear();
  live.buffer.clear();
  live.seq = -1;
  // As the 2400 records them: each pulse's current, its voltage the programmed level (null); then a read.
  addPoints(
    Array.from({ length: 6 }, (_, k) =>
      k % 2 === 0
        ? makePoint({ seq: k, kind: 'pulse', phase: 'set', v: null, i: 2e-4, g: null, vSource: 1.2 })
        : makePoint({ seq: k, kind: 'read', phase: 'set', v: 0.1, i: 1e-6, g: 1e-5 }),
    ),
  );
  const host = document.createElement('div');
  host.style.width = '800px';
  document.body.append(host);
  await act(async () => createRoot(host).render(<LiveData run={undefined} />));
  const plot = host.querySelector('[data-testid="iv-plot"]')!;
  expect(plot.textContent).toContain('No I–V points: these pulses measure current, not voltage');
  expect(plot.textContent).not.toContain('No points yet');
  expect(live.iv.pulsesWithoutVoltage).toBe(3);
  live.iv.clear();
  expect(live.iv.pulsesWithoutVoltage).toBe(0);
});
