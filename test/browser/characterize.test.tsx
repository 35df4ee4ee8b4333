import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import type { InstrumentStatus } from '../../src/shared/api';
import { setApiBridge } from '../../src/renderer/api/client';
import { CharacterizePage } from '../../src/renderer/pages/CharacterizePage';
import { ReramError } from '../../src/shared/errors';
import { fakeBridge } from './fake-bridge';

const connected: InstrumentStatus = {
  connected: true,
  resource: 'TCPIP::127.0.0.1::5025::SOCKET',
  identity: {
    make: 'KEITHLEY INSTRUMENTS INC.',
    model: '2400',
    serial: 'SIM00001',
    firmware: 'C32',
    raw: '',
  },
  driver: 'k2400',
  virtual: true,
  output: false,
  activeRun: null,
  messages: [],
  simulator: null,
  pulseWidth: { min: 1e-4, max: 1 },
  nplc: { min: 0.01, max: 10 },
  sample: { wafer: 'virtual', die: 'AlOx/HfO2 seed 1 2026-12-05T12:00:00Z' },
};

it('validates limits before anything is sent, parses SI input, and streams the run', async () => {
  const bridge = fakeBridge({ 'runs.start': () => ({ runId: 7 }) });
  setApiBridge(bridge);
  location.hash = '#/characterize?procedure=pulse-train';
  const host = document.createElement('div');
  document.body.append(host);
  await act(async () => createRoot(host).render(<CharacterizePage status={connected} />));

  const start = page.getByRole('button', { name: 'Start pulse train' });
  const compliance = page.getByRole('textbox', { name: 'Compliance *' });
  await userEvent.clear(compliance);
  await expect.element(page.getByText('Required')).toBeVisible();
  await expect.element(start).toBeDisabled();
  await userEvent.fill(compliance, '1x');
  await expect.element(page.getByText('Enter a number (e.g. 1e-3 or 1m)')).toBeVisible();
  await expect.element(start).toBeDisabled();
  await userEvent.fill(compliance, '100u');
  await expect.element(page.getByText('= 100 µA')).toBeVisible();

  const maxV = page.getByRole('textbox', { name: 'Max |V| *' });
  await userEvent.fill(maxV, '1');
  await expect.element(page.getByText('|1.5| V exceeds the maximum |V| of 1 V').first()).toBeVisible();
  await expect.element(start).toBeDisabled();
  await userEvent.fill(maxV, '2');
  await expect.element(start).toBeEnabled();

  await userEvent.click(start);
  await expect.poll(() => bridge.calls.find(([m]) => m === 'runs.start')).toBeTruthy();
  const [, payload] = bridge.calls.find(([m]) => m === 'runs.start')!;
  expect(payload).toMatchObject({
    params: { procedure: 'pulse-train', compliance: 1e-4, maxVoltage: 2, pulses: 40, width: 1e-3 },
  });

  await act(async () => {
    bridge.emit('run.progress', {
      runId: 7,
      done: 40,
      total: 280,
      elapsedS: 2,
      remainingS: 12,
      message: 'cycle 1/3 LTP pulse 40/40',
    });
    bridge.emit('run.points', {
      runId: 7,
      points: [
        {
          seq: 0,
          t: 0,
          vSource: 0.1,
          v: 0.1,
          i: 2e-6,
          g: 2e-5,
          pulse: 0,
          phase: 'ltp',
          kind: 'read',
          cell: 0,
          cycle: 0,
          compliance: false,
          flags: 0,
          width: null,
          target: null,
        },
      ],
    });
  });
  await expect.element(page.getByTestId('progress-text')).toHaveTextContent('14 % · 40/280 · 12 s left');
  await act(async () =>
    bridge.emit('run.ended', { runId: 7, status: 'completed', points: 526, error: null, summary: {} }),
  );
  await expect.element(page.getByRole('link', { name: /Fit run 7 on the Levels page/ })).toBeVisible();
});

it('refuses what the instrument cannot do, warns on what harms the cell, and asks before programming an unformed cell', async () => {
  const bridge = fakeBridge({
    'runs.start': (payload) => {
      if (!(payload as { acknowledgeCellState?: boolean }).acknowledgeCellState)
        throw new ReramError(
          'NEEDS_CONFIRMATION',
          'Cell 0 has not been formed (no forming event recorded on this sample): pulse train needs a formed cell (virtual / die 1). Nothing was sent.',
          { cellGuard: 'cell 0 has not been formed', cell: 0 },
        );
      return { runId: 8 };
    },
  });
  setApiBridge(bridge);
  location.hash = '#/characterize?procedure=pulse-train';
  document.body.replaceChildren(); // the previous test's page
  const host = document.createElement('div');
  document.body.append(host);
  await act(async () => createRoot(host).render(<CharacterizePage status={connected} />));
  const start = page.getByRole('button', { name: 'Start pulse train' });
  await expect.element(start).toBeEnabled();

  // A required field emptied is an error, never a silent default (it used to run 40 pulses).
  const pulses = page.getByRole('textbox', { name: 'Pulses per direction' });
  await userEvent.clear(pulses);
  await expect.element(page.getByText('Required')).toBeVisible();
  await expect.element(start).toBeDisabled();
  await userEvent.fill(pulses, '2.5');
  await expect.element(page.getByText('Enter a whole number')).toBeVisible();
  await userEvent.fill(pulses, '20');

  // 100 PLC: the 2400 integrates 0.01–10 PLC.
  const nplc = page.getByRole('textbox', { name: 'Read integration' });
  await userEvent.fill(nplc, '100');
  await expect.element(page.getByText('This instrument integrates from 0.01 to 10 PLC')).toBeVisible();
  await expect.element(start).toBeDisabled();
  await userEvent.fill(nplc, '1');

  // A read at 2 V over 1.5 V pulses programs the cell on every read: acknowledged, or no Start.
  await userEvent.fill(page.getByRole('textbox', { name: 'Max |V| *' }), '3');
  await userEvent.fill(page.getByRole('textbox', { name: 'Read voltage' }), '2');
  await expect
    .element(page.getByTestId('harm-warnings'))
    .toHaveTextContent(/every read would program the cell/);
  await expect.element(start).toBeDisabled();
  await userEvent.click(page.getByRole('checkbox', { name: 'I understand; run it anyway' }));
  await expect.element(start).toBeEnabled();
  await userEvent.fill(page.getByRole('textbox', { name: 'Read voltage' }), '100m');
  await expect.element(page.getByTestId('harm-warnings')).not.toBeInTheDocument();

  // The cell guard: nothing runs until the user says so.
  await userEvent.click(start);
  await expect.element(page.getByTestId('cell-guard')).toHaveTextContent(/Cell 0 has not been formed/);
  expect(bridge.calls.filter(([m]) => m === 'runs.start')).toHaveLength(1);
  await userEvent.click(page.getByRole('button', { name: 'Run anyway' }));
  await expect
    .poll(() => bridge.calls.filter(([m]) => m === 'runs.start').at(-1)?.[1])
    .toMatchObject({ acknowledgeCellState: true, params: { pulses: 20, readV: 0.1 } });
  await expect.element(page.getByTestId('cell-guard')).not.toBeInTheDocument();
  await act(async () =>
    bridge.emit('run.ended', { runId: 8, status: 'cancelled', points: 0, error: null, summary: {} }),
  );
});

it('write-verify shows its targets, bands and each level pass or fail as it runs', async () => {
  const bridge = fakeBridge({ 'runs.start': () => ({ runId: 9 }) });
  setApiBridge(bridge);
  location.hash = '#/characterize?procedure=write-verify';
  document.body.replaceChildren();
  const host = document.createElement('div');
  document.body.append(host);
  await act(async () => createRoot(host).render(<CharacterizePage status={connected} />));
  await userEvent.click(page.getByRole('button', { name: 'Start write-verify' }));
  await expect.poll(() => bridge.calls.some(([m]) => m === 'runs.start')).toBe(true);
  const point = (seq: number, target: number, kind: 'read' | 'final', cycle: number, g: number) => ({
    seq,
    t: seq,
    vSource: 0.1,
    v: 0.1,
    i: 0.1 * g,
    g,
    pulse: seq,
    phase: 'verify',
    kind,
    cell: 0,
    cycle,
    compliance: false,
    flags: 0,
    width: null,
    target,
  });
  await act(async () => {
    bridge.emit('run.progress', {
      runId: 9,
      done: 3,
      total: 10,
      elapsedS: 1,
      remainingS: 2,
      targets: { g: [2e-5, 3e-5], band: [2e-6, 2e-6] },
    });
    bridge.emit('run.points', {
      runId: 9,
      points: [
        point(0, 0, 'read', 0, 1.5e-5),
        point(1, 0, 'final', 0, 2.05e-5),
        point(2, 1, 'read', 0, 2.2e-5),
      ],
    });
  });
  const table = page.getByTestId('verify-levels');
  await expect.element(table).toHaveTextContent(/20 µS\s*± 2 µS\s*1\/1\s*20.5 µS\s*pass/);
  await expect.element(table).toHaveTextContent(/30 µS\s*± 2 µS\s*0\/1\s*—\s*fail/);
  await act(async () =>
    bridge.emit('run.ended', { runId: 9, status: 'cancelled', points: 3, error: null, summary: {} }),
  );
});

it('live data survives a page change, with the points that arrived meanwhile', async () => {
  const pulse = (seq: number) => ({
    seq,
    t: seq,
    vSource: 1.5,
    v: 1.5,
    i: 1e-5 * (seq + 1),
    g: null,
    pulse: seq,
    phase: 'ltp',
    kind: 'pulse',
    cell: 0,
    cycle: 0,
    compliance: false,
    flags: 0,
    width: 1e-3,
    target: null,
  });
  const run = {
    id: 11,
    procedure: 'pulse-train',
    status: 'running',
    startedAt: '2026-01-01T00:00:00Z',
    endedAt: null,
    instrument: null,
    resource: null,
    cell: 0,
    pointCount: 2,
    error: null,
    params: {},
    softwareVersion: '1',
    summary: null,
    hidden: false,
  };
  const bridge = fakeBridge({
    'runs.start': () => ({ runId: 11 }),
    'runs.points': () => [pulse(0), pulse(1)],
    'runs.get': () => run,
  });
  setApiBridge(bridge);
  location.hash = '#/characterize?procedure=pulse-train';
  document.body.replaceChildren();
  const host = document.createElement('div');
  document.body.append(host);
  const root = createRoot(host);
  await act(async () => root.render(<CharacterizePage status={connected} />));
  await userEvent.click(page.getByRole('button', { name: 'Start pulse train' }));
  await expect.poll(() => bridge.calls.some(([m]) => m === 'runs.start')).toBe(true);
  await act(async () => bridge.emit('run.points', { runId: 11, points: [pulse(0)] }));
  await expect.poll(() => host.querySelectorAll('[data-testid=iv-plot] circle').length).toBe(1);
  // Away, and back: the page shows the run, and fetches the point it missed.
  await act(async () => root.unmount());
  const again = createRoot(host);
  await act(async () => again.render(<CharacterizePage status={connected} />));
  await expect.poll(() => host.querySelectorAll('[data-testid=iv-plot] circle').length).toBe(2);
  await expect.element(page.getByTestId('run-status')).toHaveTextContent(/Run 11/);
  await act(async () => again.unmount());
});
