/** Replies main could send (the fake bridge checks them against the contract) for component tests. */
import type { InstrumentStatus, PredictionRecord } from '../../src/shared/api';
import { groupSettings, PredictSettings, type PredictionReport } from '../../src/shared/rca/report';

export function instrumentStatus(overrides: Partial<InstrumentStatus> = {}): InstrumentStatus {
  return {
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
    simulator: { model: '2400', preset: 'AlOx/HfO2', timeScale: 1, cells: 16 },
    pulseWidth: { min: 0.5e-3, max: 1 },
    nplc: { min: 0.01, max: 10 },
    sample: { wafer: 'virtual', die: 'AlOx/HfO2 seed 1 2026-12-05T12:00:00Z' },
    ...overrides,
  };
}

export const profileSummary = (name: string, levels: number, readOnly = false) => ({
  name,
  materialStack: '',
  source: readOnly ? 'preset' : 'measured',
  readOnly,
  tables: [{ name, levels, gMin: 1e-6, gMax: 2e-5 }],
  updatedAt: null,
});

export const MODELS = {
  models: [
    { id: 'lenet5', title: 'LeNet-5 (MNIST)', data: 'mnist' },
    { id: 'lenet5-fashion', title: 'LeNet-5 (Fashion-MNIST)', data: 'fashion' },
  ],
  datasets: [],
};

export function predictionReport(): PredictionReport {
  const result = (method: 'float' | 'linear' | 'mes', bits: number | null, mean: number) => ({
    method,
    bits,
    mean,
    ci95: 0.012,
    accuracies: [mean - 0.01, mean, mean + 0.01],
    ...(method === 'mes' && bits !== null
      ? {
          vsLinear: {
            difference: 0.03,
            ci95: 0.01,
            significant: true,
            unit: 'chips and images' as const,
            n: 3,
            chipsCi95: 0.006,
            imagesCi95: 0.008,
          },
        }
      : {}),
  });
  return {
    schemaVersion: 2,
    model: { name: 'LeNet-5 (MNIST)', parameters: 61706, layers: [] },
    dataset: { name: 'mnist', evaluated: 500, calibration: 0 },
    device: {
      profile: 'cell 0',
      table: 'cell 0',
      programming: 'open-loop',
      levels: 16,
      gMin: 1e-6,
      gMax: 2e-5,
    },
    // The defaults, but for these: 3 chips of float, linear and MES at 2 and 3 bits.
    settings: groupSettings(
      PredictSettings.parse({ methods: ['float', 'linear', 'mes'], bits: [2, 3], trials: 3 }),
    ),
    runtime: 'onnxruntime-node 1.30.0, CPU, 2 workers × 1 ONNX Runtime thread',
    chips: { count: 3, mode: 'fixed', target: 0.5, reachedTarget: null, limitedBy: null },
    // 99.5 % + CI: the whisker would run above 100 % without clipping.
    results: [
      result('float', null, 0.985),
      result('linear', 2, 0.9),
      result('linear', 3, 0.995),
      result('mes', 2, 0.93),
      result('mes', 3, 0.995),
    ],
    layers: [],
    weightHistograms: [],
    elapsedS: 12.5,
    createdAt: '2026-11-28T12:00:00.000Z',
  };
}

export function predictionRecord(id = 3): PredictionRecord {
  const report = predictionReport();
  return {
    id,
    createdAt: report.createdAt,
    endedAt: report.createdAt,
    status: 'completed',
    title: 'LeNet-5 (MNIST) on cell 0',
    model: 'LeNet-5 (MNIST)',
    dataset: 'mnist',
    profile: 'cell 0',
    table: 'cell 0',
    results: report.results.map(({ accuracies: _a, ...rest }) => rest),
    chips: 3,
    elapsedS: 12.5,
    error: null,
    request: { profile: 'cell 0' },
    report,
  };
}

/** What every page of the app asks for when it opens. */
export function appHandlers(overrides: Record<string, (payload: unknown) => unknown> = {}) {
  return {
    'system.info': () => ({
      appVersion: '1.0.0',
      mode: 'browser',
      platform: 'linux',
      nodeVersion: '20',
      dbPath: '/tmp/x.db',
      firstRun: false,
    }),
    'instrument.status': () => instrumentStatus(),
    // What main's model registry answers (test/integration/model-registry.test.ts covers it).
    'instrument.models': () => [
      { id: '2400', label: 'Keithley 2400', links: ['serial', 'gpib'] },
      { id: '2450', label: 'Keithley 2450', links: ['lan', 'usb', 'gpib'] },
      { id: 'b2900', label: 'Keysight B2900', links: ['lan', 'usb', 'gpib'] },
    ],
    'runs.list': () => [],
    'profiles.list': () => [profileSummary('cell 0', 16), profileSummary('AlOx/HfO2', 41, true)],
    'predictions.list': () => [],
    'predictions.active': () => null,
    'predictions.warm': () => ({ ok: true }),
    'resources.list': () => MODELS,
    'cells.summary': ({ cells }: { cells: number }) =>
      Array.from({ length: cells }, (_, cell) => ({
        cell,
        runs: 0,
        lastRun: null,
        formed: null,
        formingVoltage: null,
        gMin: null,
        gMax: null,
        nl: null,
      })),
    ...overrides,
  } as Record<string, (payload: unknown) => unknown>;
}
