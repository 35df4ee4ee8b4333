/**
 * The eleven things a device engineer saw go wrong (issue 14), each as a component test in
 * Chromium against a fake bridge that can only reply what main could.
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { App } from '../../src/renderer/App';
import { setApiBridge } from '../../src/renderer/api/client';
import { IvPlot } from '../../src/renderer/components/IvPlot';
import { curveColor, themedAxes } from '../../src/renderer/components/Plot';
import { CharacterizePage } from '../../src/renderer/pages/CharacterizePage';
import { InstrumentPage } from '../../src/renderer/pages/InstrumentPage';
import { LevelsPage } from '../../src/renderer/pages/LevelsPage';
import { PredictPage } from '../../src/renderer/pages/PredictPage';
import { QueuePage } from '../../src/renderer/pages/QueuePage';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { fakeBridge } from './fake-bridge';
import { appHandlers, instrumentStatus, predictionRecord, profileSummary } from './fixtures';

let root: Root | undefined;
afterEach(async () => {
  await act(async () => root?.unmount());
  root = undefined;
  document.body.innerHTML = '';
  sessionStorage.clear();
  localStorage.clear();
  document.documentElement.dataset.theme = 'light';
});

async function mount(element: React.ReactElement, hash = '#/') {
  location.hash = hash;
  const host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  await act(async () => root!.render(element));
  return host;
}

const table = builtinProfiles('t')[2]!.tables[1]!; // AlOx/HfO2, open loop: 41 levels with fits

function fitReply(
  levels = table.levels,
  quality: { verdict: string; reasons: string[]; suggestions: string[] } = {
    verdict: 'good',
    reasons: [],
    suggestions: [],
  },
) {
  return {
    table: { ...table, levels, gMin: levels[0]!.g, gMax: levels[levels.length - 1]!.g },
    warnings: [],
    run: {
      id: 2,
      procedure: 'write-verify',
      status: 'completed',
      startedAt: '2026-01-01T00:00:00Z',
      endedAt: null,
      instrument: null,
      resource: null,
      cell: 0,
      pointCount: 10,
      error: null,
      params: {},
      softwareVersion: '1',
      summary: null,
      hidden: false,
    },
    quality,
    fullLevels: levels.length,
  };
}

describe('issue 14: what an engineer saw, fixed', () => {
  it('1. leaving Predict mid-run neither cancels it nor resets the form', async () => {
    let active: unknown = null;
    const bridge = fakeBridge(
      appHandlers({
        'predictions.start': () => ({ id: 5 }),
        'predictions.active': () => active,
        'predictions.cancel': () => ({ ok: true }),
      }),
    );
    setApiBridge(bridge);
    await mount(<App />, '#/predict');
    await userEvent.selectOptions(page.getByRole('combobox', { name: 'Network' }), 'lenet5-fashion');
    await userEvent.selectOptions(page.getByRole('combobox', { name: 'Device profile' }), 'AlOx/HfO2');
    await userEvent.click(page.getByRole('button', { name: 'Run prediction' }));
    await expect.poll(() => bridge.calls.some(([m]) => m === 'predictions.start')).toBe(true);
    active = {
      id: 5,
      fraction: 0.4,
      message: 'MES 3-bit, chip 2',
      elapsedS: 20,
      remainingS: 30,
      imagesPerSecond: 900,
      partial: [],
    };
    await act(async () => bridge.emit('prediction.progress', active));
    await act(async () => {
      location.hash = '#/instrument';
    });
    await expect
      .element(page.getByTestId('background-prediction'))
      .toHaveTextContent(/Prediction 5 running in background · 40 %/);
    await act(async () => {
      location.hash = '#/predict';
    });
    await expect.element(page.getByRole('combobox', { name: 'Network' })).toHaveValue('lenet5-fashion');
    await expect.element(page.getByRole('combobox', { name: 'Device profile' })).toHaveValue('AlOx/HfO2');
    await expect.element(page.getByTestId('prediction-running')).toBeVisible();
    expect(bridge.calls.some(([m]) => m === 'predictions.cancel')).toBe(false);
  });

  it('2l. the Levels run list follows run.ended, and a list that cannot be read says why', async () => {
    const runs: Array<ReturnType<typeof fitReply>['run']> = [];
    let failing = true;
    const bridge = fakeBridge(
      appHandlers({
        'runs.list': () => {
          if (failing) throw new Error('The database is locked by another process.');
          return runs;
        },
      }),
    );
    setApiBridge(bridge);
    const host = await mount(<LevelsPage initialRun={null} />, '#/levels');
    await expect.element(page.getByText('The database is locked by another process.')).toBeVisible();
    // Nothing was read, so the page does not claim there are no runs.
    expect(host.textContent).not.toContain('No pulse-train or write-verify runs yet');

    failing = false;
    await act(async () =>
      bridge.emit('run.ended', { runId: 1, status: 'completed', points: 4, error: null, summary: {} }),
    );
    await expect
      .element(page.getByText('No pulse-train or write-verify runs yet', { exact: false }))
      .toBeVisible();
    expect(host.textContent).not.toContain('The database is locked');

    // A write-verify run ends: it is offered for fitting without leaving the page; a forming run is not.
    runs.push({ ...fitReply().run, id: 7 }, { ...fitReply().run, id: 8, procedure: 'forming' });
    await act(async () =>
      bridge.emit('run.ended', { runId: 7, status: 'completed', points: 10, error: null, summary: {} }),
    );
    await expect.element(page.getByRole('button', { name: 'Open run 7' })).toBeVisible();
    expect(host.querySelector('[aria-label="Open run 8"]')).toBeNull();
    expect(bridge.calls.filter(([m]) => m === 'runs.list')).toHaveLength(3);
  });

  it('1h. Predict opens the latest completed report once; the history follows prediction.ended, even from the CLI', async () => {
    const summary = (id: number) => {
      const { request: _request, report: _report, ...rest } = predictionRecord(id);
      return rest;
    };
    const stored = [summary(3)];
    const bridge = fakeBridge(
      appHandlers({
        'predictions.list': () => stored,
        'predictions.get': (payload: unknown) => predictionRecord((payload as { id: number }).id),
      }),
    );
    setApiBridge(bridge);
    const host = await mount(<PredictPage initialProfile="cell 0" mode="browser" />, '#/predict');
    await expect.element(page.getByText('No predictions yet.')).not.toBeInTheDocument();
    await expect
      .poll(() => host.querySelector('[data-prediction="3"]')?.getAttribute('aria-selected'))
      .toBe('true');
    // A prediction the CLI ran ends: it is listed and opened, and the list is asked once more.
    stored.unshift(summary(4));
    await act(async () =>
      bridge.emit('prediction.ended', { id: 4, status: 'completed', title: 'from the CLI', error: null }),
    );
    await expect
      .poll(() => host.querySelector('[data-prediction="4"]')?.getAttribute('aria-selected'))
      .toBe('true');
    expect(bridge.calls.filter(([m]) => m === 'predictions.list')).toHaveLength(2);
    // Opening the page starts main's prediction workers, once, while the user chooses.
    expect(bridge.calls.filter(([m]) => m === 'predictions.warm')).toHaveLength(1);
    // Only the first list opened the latest report: the second load did not reopen 3.
    expect(
      bridge.calls.filter(([m, p]) => m === 'predictions.get' && (p as { id: number }).id === 3),
    ).toHaveLength(1);
  });

  it('2. only bit widths the table holds are offered, on Predict and on Levels', async () => {
    setApiBridge(fakeBridge(appHandlers()));
    const host = await mount(<PredictPage initialProfile="cell 0" mode="browser" />, '#/predict');
    await expect.element(page.getByTestId('bits-note')).toHaveTextContent('16 levels: up to 4 bits');
    expect(host.querySelector('[name="bits-5"]')).toBeNull();
    expect(host.querySelector('[name="bits-4"]')).not.toBeNull();
    await act(async () => root!.unmount());

    // An 8-level write-verify run: 3 bits at most, and the fit panel stays.
    const eight = table.levels.slice(0, 8);
    setApiBridge(
      fakeBridge(
        appHandlers({
          'runs.points': () => [],
          'levels.fit': () => fitReply(eight),
        }),
      ),
    );
    const levels = await mount(<LevelsPage initialRun="2" />, '#/levels?run=2');
    await expect.element(page.getByText('The run has 8 states: at most 3 bits.')).toBeVisible();
    const options = [...levels.querySelectorAll<HTMLOptionElement>('select[name="bits"] option')].map(
      (o) => o.value,
    );
    expect(options).toEqual(['all', '1', '2', '3']);
    await expect.element(page.getByRole('button', { name: 'Save profile' })).toBeVisible();
  });

  it('3. the guide’s link switches the procedure, and the guide stays while steps remain', async () => {
    setApiBridge(
      fakeBridge(
        appHandlers({
          'runs.list': () => [
            {
              id: 1,
              procedure: 'forming',
              status: 'completed',
              startedAt: '2026-01-01T00:00:00Z',
              endedAt: null,
              instrument: null,
              resource: null,
              cell: 0,
              pointCount: 5,
              error: null,
              params: {},
              softwareVersion: '1',
              summary: { formed: true, formingVoltage: 3.05 },
              hidden: false,
            },
          ],
          'profiles.list': () => [profileSummary('AlOx/HfO2', 41, true)],
        }),
      ),
    );
    await mount(<App />, '#/characterize?procedure=forming');
    await expect.element(page.getByRole('tab', { name: 'Forming' })).toHaveAttribute('aria-selected', 'true');
    // A run exists, but the path is not finished: the guide is still there.
    await userEvent.click(page.getByRole('link', { name: 'Run a pulse train' }));
    await expect
      .element(page.getByRole('tab', { name: 'Pulse train' }))
      .toHaveAttribute('aria-selected', 'true');
    await expect.element(page.getByRole('button', { name: 'Start pulse train' })).toBeVisible();
  });

  it('14. the guide ticks Predict when any prediction completed (the latest was cancelled), and comes back after Hide', async () => {
    const prediction = (id: number, status: 'completed' | 'cancelled') => ({
      id,
      createdAt: '2026-01-01T00:00:00Z',
      endedAt: '2026-01-01T00:01:00Z',
      status,
      title: `prediction ${id}`,
      model: 'lenet5',
      dataset: 'mnist',
      profile: 'AlOx/HfO2',
      table: null,
      results: [],
      chips: null,
      elapsedS: null,
      error: null,
    });
    setApiBridge(
      fakeBridge(
        appHandlers({
          'predictions.list': () => [
            prediction(3, 'cancelled'),
            prediction(2, 'completed'),
            prediction(1, 'completed'),
          ],
        }),
      ),
    );
    localStorage.removeItem('reram-guide-hidden');
    await mount(<App />, '#/predict');
    const guide = page.getByRole('region', { name: 'Getting started' });
    await expect.element(guide.getByRole('link', { name: /Predict: linear vs MES/ })).toHaveTextContent(/^✓/);
    await userEvent.click(guide.getByRole('button', { name: 'Hide guide' }));
    await expect.element(guide).not.toBeInTheDocument();
    await userEvent.click(page.getByRole('button', { name: 'Show the getting-started guide' }));
    await expect.element(page.getByRole('region', { name: 'Getting started' })).toBeVisible();
  });

  it('4u. the queue column follows queue.update without asking again; a recipe list that cannot be read says why', async () => {
    const queue = (id: number, status: 'running' | 'completed', done: number) => ({
      id,
      name: `recipe ${id}`,
      status,
      resource: null,
      createdAt: '2026-12-07T00:00:00Z',
      endedAt: null,
      steps: [0, 1].map((position) => ({
        position,
        cell: position,
        step: 1,
        procedure: 'forming',
        status: position < done ? ('completed' as const) : ('pending' as const),
        runId: position < done ? position + 1 : null,
        attempts: position < done ? 1 : 0,
        error: null,
      })),
      waitingForCell: null,
      question: null,
      stopping: false,
    });
    const bridge = fakeBridge(
      appHandlers({
        'recipes.list': () => {
          throw new Error('recipes.json is not readable.');
        },
        'queue.list': () => [queue(1, 'completed', 2)],
      }),
    );
    setApiBridge(bridge);
    const host = await mount(<QueuePage status={instrumentStatus()} mode="browser" />, '#/queue');
    await expect.element(page.getByText('recipes.json is not readable.')).toBeVisible();
    await expect.element(page.getByText('Queue 1: recipe 1', { exact: false })).toBeVisible();

    // A new queue starts elsewhere (the CLI): it is shown, and queue 1 moves to the earlier ones.
    await act(async () => bridge.emit('queue.update', queue(2, 'running', 0)));
    await expect.element(page.getByText('Queue 2: recipe 2', { exact: false })).toBeVisible();
    await expect.element(page.getByRole('heading', { name: 'Earlier queues' })).toBeVisible();
    await act(async () => bridge.emit('queue.update', queue(2, 'running', 1)));
    await expect.element(page.getByText('1 of 2 steps', { exact: false })).toBeVisible();
    expect(host.textContent).toContain('Queue 1: recipe 1');
    expect(bridge.calls.filter(([m]) => m === 'queue.list')).toHaveLength(1);
  });

  it('4q. the recipe being edited survives a page change: what the editor shows is what runs and exports', async () => {
    localStorage.removeItem('reram-queue-draft');
    setApiBridge(fakeBridge(appHandlers({ 'recipes.list': () => [], 'queue.list': () => [] })));
    await mount(<QueuePage status={instrumentStatus()} mode="browser" />, '#/queue');
    const cells = page.getByRole('textbox', { name: 'Cells' });
    await userEvent.fill(cells, '0-7');
    await expect.element(page.getByRole('button', { name: 'Run queue on 8 cells' })).toBeVisible();
    await expect.element(page.getByTestId('step2-requires')).toHaveTextContent('needs a formed cell');
    await expect.element(page.getByTestId('step1-requires')).toHaveTextContent('needs a pristine cell');
    await act(async () => root!.unmount());
    await mount(<QueuePage status={instrumentStatus()} mode="browser" />, '#/queue');
    await expect.element(page.getByRole('textbox', { name: 'Cells' })).toHaveValue('0-7');
    await expect.element(page.getByRole('button', { name: 'Run queue on 8 cells' })).toBeVisible();
  });

  it('4. a failed fit says so before saving, with what to do, and saving needs an acknowledgement', async () => {
    const bridge = fakeBridge(
      appHandlers({
        'runs.points': () => [],
        'levels.fit': () =>
          fitReply(table.levels, {
            verdict: 'failed',
            reasons: ['LTD NL 0.01 ± 9 is not determined: the interval spans the NeuroSim table (0.01…9).'],
            suggestions: [
              'Measure more cycles (this run has 3).',
              'To judge quantization alone, predict with programming σ × 0.',
            ],
          }),
        'profiles.fromRun': () => builtinProfiles('t')[2],
      }),
    );
    setApiBridge(bridge);
    await mount(<LevelsPage initialRun="2" />, '#/levels?run=2');
    await expect
      .element(page.getByTestId('fit-quality'))
      .toHaveTextContent(/Failed fit.*not determined.*more cycles.*σ × 0/);
    const save = page.getByRole('button', { name: 'Save anyway' });
    await expect.element(save).toBeDisabled();
    await userEvent.click(page.getByRole('checkbox', { name: /want this table anyway/ }));
    await expect.element(save).toBeEnabled();
  });

  it('5. fitted curves read on the dark theme, and log axes have no "— S" labels', async () => {
    document.documentElement.dataset.theme = 'dark';
    const luminance = (color: string) => {
      const probe = document.createElement('span');
      probe.style.color = color;
      document.body.append(probe);
      const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number) as [number, number, number];
      probe.remove();
      const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const panel = getComputedStyle(document.documentElement).getPropertyValue('--panel').trim();
    const contrast = (luminance(curveColor()) + 0.05) / (luminance(panel) + 0.05);
    expect(contrast).toBeGreaterThan(4.5);
    const { siValues } = await import('../../src/renderer/components/Plot');
    const labels = (siValues('S', true) as (u: unknown, v: Array<number | null>) => string[])(null, [
      1e-6,
      2e-6,
      3e-6,
      null,
      1e-5,
    ]);
    expect(labels).toEqual(['1 µS', '2 µS', '', '', '10 µS']);
  });

  it('6. numbers read like numbers; the pulse width is checked against the instrument before Start', async () => {
    const bridge = fakeBridge({ ...appHandlers(), 'runs.start': () => ({ runId: 9 }) });
    setApiBridge(bridge);
    await mount(
      <CharacterizePage status={instrumentStatus({ pulseWidth: { min: 0.5e-3, max: 1 } })} />,
      '#/characterize?procedure=pulse-train',
    );
    const width = page.getByRole('textbox', { name: 'Pulse width' });
    await userEvent.fill(width, '10u');
    await expect.element(page.getByText('This instrument makes pulses from 500 µs to 1 s')).toBeVisible();
    await expect.element(page.getByRole('button', { name: 'Start pulse train' })).toBeDisabled();
    await userEvent.fill(width, '1m');
    await userEvent.click(page.getByRole('tab', { name: 'Forming' }));
    await userEvent.click(page.getByRole('button', { name: 'Start forming' }));
    await act(async () =>
      bridge.emit('run.ended', {
        runId: 9,
        status: 'completed',
        points: 40,
        error: null,
        summary: { formed: true, formingVoltage: 3.0500000000000003 },
      }),
    );
    await expect.element(page.getByTestId('run-status')).toHaveTextContent('Formed at 3.05 V.');
    expect(bridge.calls.filter(([m]) => m === 'runs.start')).toHaveLength(1);
  });

  it('7. plots: log |I| with axis titles, whole-number ticks on counted axes, no "--" legends, no made-up empty scale', async () => {
    const host = await mount(
      <IvPlot
        title="I–V"
        log
        series={[{ label: 'forming', color: '#1f6feb', v: [0, 0.5, 1, 1.5], i: [0, 3.2e-7, 2e-6, 1e-4] }]}
      />,
    );
    const texts = [...host.querySelectorAll('text')].map((t) => t.textContent);
    expect(texts).toContain('voltage at the cell (V)');
    expect(texts).toContain('|current| (A, log scale)');
    expect(texts).toContain('1.5 V');
    // Log ticks are whole decades of |I|, not a linear axis with "320 nA" on its zero line.
    const yTicks = texts.filter((t) => /A$/.test(t ?? ''));
    expect(yTicks).toContain('100 nA');
    for (const tick of yTicks) expect(tick).toMatch(/^(1|10|100) [fpnµm]?A$/);
    // The 0 V point (0 A) has no place on a log axis: no floor tick, no vertical drop to it.
    expect(yTicks).not.toContain('100 fA');
    expect(host.querySelector('[data-series="forming"] path')!.getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+L/);
    expect(host.querySelectorAll('[data-series="forming"] circle')).toHaveLength(3);
    // Every tick label sits inside the drawing, none clipped at the right edge.
    const svg = host.querySelector('svg')!;
    const right = svg.getBoundingClientRect().right;
    for (const t of host.querySelectorAll('text'))
      expect(t.getBoundingClientRect().right).toBeLessThanOrEqual(right + 0.5);
    const counted = themedAxes('pulses', 'G', undefined, { x: true })[0]!;
    expect((counted.values as (u: unknown, v: number[]) => string[])(null, [0, 2.5, 5])).toEqual([
      '0',
      '',
      '5',
    ]);
    await act(async () => root!.unmount());

    // Drawn at the width it is shown: text stays 11–13 px in a wide window; pulses are markers only.
    const wide = await mount(
      <div style={{ width: '1400px' }}>
        <IvPlot
          title="I–V"
          log
          series={[
            {
              label: 'ltp pulses',
              color: '#1f6feb',
              joined: false,
              v: [1.5, 1.5, -1.5],
              i: [1e-5, 2e-5, -2e-5],
            },
          ]}
        />
      </div>,
    );
    await expect.poll(() => wide.querySelector('svg')!.getAttribute('width')).toBe('1400');
    const tick = [...wide.querySelectorAll('text')].find((t) => t.textContent === '1.5 V')!;
    expect(tick.getBoundingClientRect().height).toBeLessThan(16);
    expect(wide.querySelector('[data-series="ltp pulses"] path')!.getAttribute('d')).toBe('');
    await act(async () => root!.unmount());

    setApiBridge(fakeBridge(appHandlers({ 'runs.start': () => ({ runId: 3 }) })));
    const characterize = await mount(
      <CharacterizePage status={instrumentStatus()} />,
      '#/characterize?procedure=pulse-train',
    );
    await expect.element(page.getByText('No reads yet: start a run')).toBeVisible();
    expect(characterize.querySelector('.u-legend')?.textContent ?? '').not.toContain('--');
  });

  it('8. the accuracy chart has CI whiskers inside 0–100 %, a title, legend and settings; exports are named and carry settings', async () => {
    const downloads: Array<{ name: string; blob?: Blob }> = [];
    const originalClick = HTMLAnchorElement.prototype.click;
    const originalUrl = URL.createObjectURL;
    const blobs = new Map<string, Blob>();
    URL.createObjectURL = (blob: Blob) => {
      const url = `blob:test-${blobs.size}`;
      blobs.set(url, blob);
      return url;
    };
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      downloads.push({ name: this.download, blob: blobs.get(this.href) });
    };
    try {
      const record = predictionRecord();
      setApiBridge(
        fakeBridge(
          appHandlers({
            'predictions.list': () =>
              [{ ...record, report: undefined, request: undefined }].map(
                ({ report: _r, request: _q, ...s }) => s,
              ),
            'predictions.get': () => record,
          }),
        ),
      );
      const host = await mount(<PredictPage initialProfile={null} mode="browser" />, '#/predict');
      await expect.element(page.getByTestId('accuracy-chart')).toBeVisible();
      const chart = host.querySelector('[data-testid=accuracy-chart] svg')!;
      const text = chart.textContent ?? '';
      expect(text).toContain('Accuracy vs bits: LeNet-5 (MNIST) on cell 0');
      for (const label of ['float', 'linear', 'MES']) expect(text).toContain(label);
      expect(text).toMatch(/500 mnist images .* σ × 1, seed\s+1 · 3 chips/s);
      // The frame of the plot, and every whisker end inside it (99.5 % + 1.2 pp is clipped at 100).
      const frame = [...chart.querySelectorAll('rect')].find((r) => r.getAttribute('fill') === 'none')!;
      const top = Number(frame.getAttribute('y'));
      const bottom = top + Number(frame.getAttribute('height'));
      for (const line of chart.querySelectorAll('line[opacity]'))
        for (const y of [line.getAttribute('y1'), line.getAttribute('y2')]) {
          expect(Number(y)).toBeGreaterThanOrEqual(top - 1e-6);
          expect(Number(y)).toBeLessThanOrEqual(bottom + 1e-6);
        }
      await expect.element(page.getByTestId('difference-chart')).toBeVisible();
      await userEvent.click(page.getByRole('button', { name: 'Export CSV' }));
      await userEvent.click(page.getByRole('button', { name: 'Charts as SVG' }));
      // Both charts: the accuracies and the paired differences.
      await expect.poll(() => downloads.length).toBe(3);
      expect(downloads[0]!.name).toMatch(/^prediction-cell-0-LeNet-5-MNIST-20261128-\d{4}\.csv$/);
      expect(await downloads[0]!.blob!.text()).toMatch(
        /^# ReRAM Bench prediction.*\n# model: LeNet-5 \(MNIST\).*# settings: \{"run":\{"methods"/s,
      );
      expect(downloads[1]!.name).toMatch(/\d\.svg$/);
      expect(await downloads[1]!.blob!.text()).toContain('read noise 0');
      expect(await downloads[1]!.blob!.text()).toContain('linear: weights rounded on an evenly spaced grid');
      expect(downloads[2]!.name).toMatch(/-differences\.svg$/);
      // The caption can be left out.
      await userEvent.click(page.getByRole('checkbox', { name: 'Caption with the settings' }));
      await userEvent.click(page.getByRole('button', { name: 'Charts as SVG' }));
      await expect.poll(() => downloads.length).toBe(5);
      expect(await downloads[3]!.blob!.text()).not.toContain('read noise 0');
    } finally {
      HTMLAnchorElement.prototype.click = originalClick;
      URL.createObjectURL = originalUrl;
    }
  });

  it('9. prediction progress shows time left and images/s beside the form; Esc in a field does not cancel it, its button does', async () => {
    const progress = {
      id: 4,
      fraction: 0.25,
      message: 'linear 3-bit, chip 2',
      elapsedS: 10,
      remainingS: 30,
      imagesPerSecond: 1234,
      partial: [],
    };
    const bridge = fakeBridge(
      appHandlers({ 'predictions.active': () => progress, 'predictions.cancel': () => ({ ok: true }) }),
    );
    setApiBridge(bridge);
    await mount(<PredictPage initialProfile={null} mode="browser" />, '#/predict');
    await expect
      .element(page.getByTestId('progress-text'))
      .toHaveTextContent(/25 % · 10 s elapsed · 30 s left · 1230 images\/s/);
    const box = page.getByTestId('prediction-running').element().getBoundingClientRect();
    expect(box.top).toBeLessThan(innerHeight);
    // Esc is the instrument's Output OFF only: typing Esc in a Predict field leaves the prediction running.
    await userEvent.click(page.getByRole('textbox').first());
    await userEvent.keyboard('{Escape}');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bridge.calls.some(([m]) => m === 'predictions.cancel')).toBe(false);
    await userEvent.click(page.getByRole('button', { name: /^Cancel/ }));
    await expect.poll(() => bridge.calls.find(([m]) => m === 'predictions.cancel')?.[1]).toEqual({ id: 4 });
  });

  it('10. the instrument form shows what is connected; a failed connect keeps it and the error goes with the next connection', async () => {
    let status = instrumentStatus({
      identity: {
        make: 'KEITHLEY INSTRUMENTS INC.',
        model: '2450',
        serial: 'SIM00001',
        firmware: '1',
        raw: '',
      },
      simulator: { model: '2450', preset: 'AlOx/HfO2', timeScale: 1, cells: 16 },
      driver: 'k2450',
    });
    const bridge = fakeBridge(
      appHandlers({
        'instrument.status': () => status,
        'instrument.connect': () => {
          throw new Error('No answer from TCPIP::10.0.0.9::5025::SOCKET within 3 s');
        },
      }),
    );
    setApiBridge(bridge);
    const host = await mount(<InstrumentPage status={status} />, '#/instrument');
    await expect.element(page.getByRole('combobox', { name: 'Instrument dialect' })).toHaveValue('2450');
    // The choices are main's model registry, with how each connects.
    await expect
      .element(page.getByRole('option', { name: 'Keysight B2900 (lan, usb, gpib)' }))
      .toBeInTheDocument();
    await userEvent.click(page.getByRole('button', { name: 'Connect instead' }));
    await expect.element(page.getByText(/No answer from TCPIP::10\.0\.0\.9/)).toBeVisible();
    // The working connection is still what the page shows.
    expect(host.textContent).toContain('2450');
    status = instrumentStatus({ resource: 'TCPIP::127.0.0.1::5026::SOCKET' });
    await act(async () => root!.render(<InstrumentPage status={status} />));
    await expect.poll(() => host.textContent?.includes('No answer from')).toBe(false);
  });
});
