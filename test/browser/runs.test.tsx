/** The Runs page: the data sheet's header over its columns, the cells filter, and the trash. */
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { setApiBridge } from '../../src/renderer/api/client';
import { outcomeText, RunsPage } from '../../src/renderer/pages/RunsPage';
import type { RunSummary } from '../../src/shared/run';
import { makePoint } from '../helpers/points';
import { fakeBridge } from './fake-bridge';

const run = (hidden: boolean): RunSummary => ({
  id: 3,
  procedure: 'read',
  status: 'completed',
  startedAt: '2026-01-01T00:00:00Z',
  endedAt: '2026-01-01T00:00:01Z',
  instrument: '2400',
  resource: null,
  cell: 2,
  pointCount: 3,
  error: null,
  params: {},
  softwareVersion: '1',
  summary: {},
  hidden,
});

it('the data sheet header sits over its column; a bad cells filter says so; delete goes to a trash', async () => {
  let hidden = false;
  const bridge = fakeBridge({
    'runs.query': () => ({ runs: [run(hidden)], total: 1 }),
    'runs.get': () => run(hidden),
    'runs.trace': () => ({
      total: 3,
      reads: {
        seq: [0, 1, 2],
        g: [1e-5, 1e-5, 1e-5],
        phase: ['read', 'read', 'read'],
        cycle: [0, 0, 0],
        pulse: [0, 1, 2],
        decimated: false,
      },
      iv: { v: [], i: [], phase: [], decimated: false },
    }),
    'runs.settings': () => ({}),
    'runs.points': () =>
      [0, 1, 2].map((seq) =>
        makePoint({ seq, v: 0.1, i: -46e-6, g: 4.6e-4, phase: 'read', kind: 'read', pulse: seq }),
      ),
    'runs.hide': (payload) => {
      hidden = (payload as { hidden: boolean }).hidden;
      return { ok: true };
    },
    'runs.delete': () => ({ ok: true }),
  });
  setApiBridge(bridge);
  location.hash = '#/runs?run=3';
  const host = document.createElement('div');
  host.style.width = '1280px';
  document.body.append(host);
  await act(async () => createRoot(host).render(<RunsPage mode="browser" initialRun="3" />));

  // The header's "G" is over the body's G cells (it used to be one column off: "-46 µA" under "G").
  const sheet = page.getByTestId('data-sheet');
  await expect.poll(() => sheet.getByText('460 µS').elements().length).toBe(3);
  (sheet.element().closest('details') as HTMLDetailsElement).open = true;
  await expect.element(sheet.getByText('460 µS').first()).toBeVisible();
  const header = [...sheet.element().querySelectorAll('th')]
    .find((th) => th.textContent === 'G')!
    .getBoundingClientRect();
  const cell = sheet.getByText('460 µS').first().element().getBoundingClientRect();
  expect(Math.abs(header.left - cell.left)).toBeLessThan(2);

  // The Queue's cell syntax; what it cannot read, it says.
  const cells = page.getByRole('textbox', { name: 'Cells' });
  await userEvent.fill(cells, 'abc');
  await expect.element(page.getByText(/'abc' is not a cell or a range/)).toBeVisible();
  await userEvent.fill(cells, '0-3');
  await expect
    .poll(() => bridge.calls.filter(([m]) => m === 'runs.query').at(-1)?.[1])
    .toMatchObject({ cells: [0, 1, 2, 3] });

  // Delete is a trash: restorable, and deleting for good asks on the page (no native dialog).
  await userEvent.click(page.getByRole('button', { name: 'Move to the trash' }));
  await expect
    .poll(() => bridge.calls.find(([m]) => m === 'runs.hide')?.[1])
    .toEqual({ runIds: [3], hidden: true });
  await userEvent.click(page.getByRole('checkbox', { name: 'Show the trash' }));
  await expect.element(page.getByRole('button', { name: 'Restore from the trash' })).toBeVisible();
  await userEvent.click(page.getByRole('button', { name: 'Delete for good…' }));
  await expect.element(page.getByText('Delete run 3 and its 3 points for good?')).toBeVisible();
  expect(bridge.calls.some(([m]) => m === 'runs.delete')).toBe(false);
  await userEvent.click(page.getByRole('button', { name: 'Delete for good', exact: true }));
  await expect.poll(() => bridge.calls.find(([m]) => m === 'runs.delete')?.[1]).toEqual({ runIds: [3] });
});

it('a SET or RESET sweep says its switching voltage, or that it saw none', () => {
  const sweep = (procedure: 'set' | 'reset', summary: Record<string, unknown>): RunSummary => ({
    ...run(false),
    procedure,
    summary,
  });
  const criterion = 'current limit reached on the rising branch';
  expect(outcomeText(sweep('set', { switchingVoltage: 1.2, switchingCriterion: criterion }))).toBe(
    'V_SET 1.2 V',
  );
  expect(outcomeText(sweep('reset', { switchingVoltage: -1.95, switchingCriterion: criterion }))).toBe(
    'V_RESET -1.95 V',
  );
  expect(outcomeText(sweep('set', { switchingVoltage: null, switchingCriterion: criterion }))).toBe(
    'no SET seen',
  );
  // Runs recorded before the analysis existed say nothing.
  expect(outcomeText(sweep('reset', {}))).toBe('');
});

it('an endurance run: LRS and HRS against the cycle on log axes, and how it ended', async () => {
  const endurance: RunSummary = {
    ...run(false),
    id: 9,
    procedure: 'endurance',
    params: { procedure: 'endurance', cycles: 3000, setV: 2.5, resetV: -2.5, width: 0.02 },
    summary: { cyclesToFailure: 158, lastGoodCycle: 126, cyclesDone: 162, windowFraction: 0.5 },
  };
  expect(outcomeText(endurance)).toBe('failed after 158 cycles (window below 50 %)');
  expect(outcomeText({ ...endurance, summary: { cyclesToFailure: null, cyclesDone: 3000 } })).toBe(
    'no failure in 3000 cycles',
  );
  // The reads as the trace API returns them: one LRS and one HRS per read cycle, closing.
  const cycles = [1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 100, 101, 102, 103, 104, 158, 159, 160, 161, 162];
  const reads = cycles.flatMap((c) => {
    const open = 1 / (1 + (c / 127) ** 4);
    return [
      { pulse: c, phase: 'set', g: 40e-6 + 27e-6 * open },
      { pulse: c, phase: 'reset', g: 40e-6 - 27e-6 * open },
    ];
  });
  setApiBridge(
    fakeBridge({
      'runs.query': () => ({ runs: [endurance], total: 1 }),
      'runs.get': () => endurance,
      'runs.trace': () => ({
        total: reads.length,
        reads: {
          seq: reads.map((_, k) => k),
          g: reads.map((r) => r.g),
          phase: reads.map((r) => r.phase),
          cycle: reads.map(() => 0),
          pulse: reads.map((r) => r.pulse),
          decimated: false,
        },
        iv: { v: [], i: [], phase: [], decimated: false },
      }),
      'runs.settings': () => ({}),
      'runs.points': () => [],
    }),
  );
  location.hash = '#/runs?run=9';
  const host = document.createElement('div');
  host.style.width = '1280px';
  document.body.append(host);
  await act(async () => createRoot(host).render(<RunsPage mode="browser" initialRun="9" />));
  const plot = page.getByTestId('endurance-plot');
  await expect.element(plot).toBeVisible();
  expect(plot.element().getAttribute('aria-label')).toBe('HRS and LRS against SET/RESET cycles');
  await expect.poll(() => plot.element().textContent).toMatch(/LRS \(after SET\)[\s\S]*HRS \(after RESET\)/);
  await expect.element(page.getByText(/failed after 158 cycles/).first()).toBeVisible();
});

it('a stopped retention run offers to continue it on the Characterize page, with its parameters and itself as "Continue run"', async () => {
  const stopped: RunSummary = {
    ...run(false),
    id: 12,
    procedure: 'retention',
    status: 'interrupted',
    cell: 5,
    params: { procedure: 'retention', cell: 5, levels: 3, duration: 3600, readsPerDecade: 5, maxVoltage: 3 },
    summary: { retentionState: { targets: [1e-5, 2e-5, 3e-5], current: 1 } },
  };
  setApiBridge(
    fakeBridge({
      'runs.query': () => ({ runs: [stopped], total: 1 }),
      'runs.get': () => stopped,
      'runs.trace': () => ({
        total: 0,
        reads: { seq: [], g: [], phase: [], cycle: [], pulse: [], decimated: false },
        iv: { v: [], i: [], phase: [], decimated: false },
      }),
      'runs.settings': () => ({}),
      'runs.points': () => [],
    }),
  );
  // Earlier tests' pages are still mounted and follow the hash too: look inside this page only.
  location.hash = '#/runs?run=12';
  const host = document.createElement('div');
  document.body.append(host);
  await act(async () => createRoot(host).render(<RunsPage mode="browser" initialRun="12" />));
  const link = page.elementLocator(host).getByRole('link', { name: 'Continue this retention run →' });
  await expect.element(link).toBeVisible();
  const href = new URL(link.element().getAttribute('href')!.replace('#/characterize', 'http://x/'));
  expect(Object.fromEntries(href.searchParams)).toEqual({
    procedure: 'retention',
    cell: '5',
    levels: '3',
    duration: '3600',
    readsPerDecade: '5',
    maxVoltage: '3',
    resumeFrom: '12',
  });
});
