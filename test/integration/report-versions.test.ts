/**
 * Report settings grouped by hardware part (schemaVersion 2), and version 1 still read: a real
 * version 1 report, written by `reram-bench predict --report` before the change (19f09ff;
 * test/fixtures/reports/lenet5-v1.json), read directly, from a SQLite store, and through the API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/shared/api-client';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { createServices } from '../../src/main/api/services';
import { EventHub } from '../../src/main/services/events';
import { Store } from '../../src/main/store/store';
import {
  flatSettings,
  groupSettings,
  PredictionReport,
  PredictSettings,
  REPORT_SCHEMA_VERSION,
  SETTINGS_GROUPS,
} from '../../src/shared/rca/report';
import { REPO_ROOT } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

const v1 = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/reports/lenet5-v1.json'), 'utf8')) as {
  schemaVersion: number;
  settings: Record<string, unknown>;
  results: unknown[];
};

describe('report settings grouped by hardware part', () => {
  it('every declared setting is in exactly one group', () => {
    const grouped = Object.values(SETTINGS_GROUPS).flatMap((fields) => Object.values(fields) as string[]);
    expect([...grouped].sort()).toEqual(Object.keys(PredictSettings.shape).sort());
    expect(new Set(grouped).size).toBe(grouped.length);
  });

  it('grouping and flattening are inverse, optional settings included', () => {
    const defaults = PredictSettings.parse({});
    expect(flatSettings(groupSettings(defaults))).toEqual(defaults);
    const everything = PredictSettings.parse({
      methods: ['linear', 'mes-sigma'],
      bits: [2, 5],
      scheme: 'bias',
      scale: 'max',
      tile: { rows: 64, cols: 32 },
      adcBits: 6,
      dacBits: 4,
      readNoise: 0.02,
      sigmaScale: 2,
      after: 86_400,
      driftCompensation: true,
      deviceDraw: 'measured-cells',
      driftNu: 0.05,
      driftNuSigma: 0.01,
      trials: 7,
      seed: 9,
      commonChips: false,
      limit: 300,
      calibration: 50,
      batchSize: 100,
    });
    const grouped = groupSettings(everything);
    expect(grouped).toMatchObject({
      mapping: { scheme: 'bias', scale: 'max' },
      device: { sigmaScale: 2, draw: 'measured-cells', after: 86_400, driftNu: 0.05, driftNuSigma: 0.01 },
      array: { tile: { rows: 64, cols: 32 } },
      read: { noise: 0.02, driftCompensation: true },
      adc: { bits: 6 },
      dac: { bits: 4 },
      run: { trials: 7, seed: 9, commonChips: false, limit: 300, calibration: 50, batchSize: 100 },
    });
    expect(flatSettings(grouped)).toEqual(everything);
  });

  it('reads a version 1 report as version 2, its flat settings grouped and nothing else changed', () => {
    expect(v1.schemaVersion).toBe(1);
    const report = PredictionReport.parse(v1);
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.settings.adc.bits).toBe(8);
    expect(report.settings.run).toMatchObject({
      methods: ['float', 'linear', 'mes'],
      bits: [3],
      trials: 2,
      limit: 100,
    });
    expect(flatSettings(report.settings)).toEqual(PredictSettings.parse(v1.settings));
    expect(report.results).toEqual(v1.results);
    // Written again, it is version 2 and reads back the same.
    expect(PredictionReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });

  it('refuses a report from a newer version, and a version 1 report whose settings are not valid', () => {
    expect(PredictionReport.safeParse({ ...v1, schemaVersion: 3 }).success).toBe(false);
    expect(PredictionReport.safeParse({ ...v1, settings: { ...v1.settings, adcBits: 99 } }).success).toBe(
      false,
    );
  });

  it('a version 1 report stored in a SQLite file reads back as version 2, from the store and through the API', async () => {
    const dbPath = tempDbPath();
    const store = new Store(dbPath);
    const id = store.predictions.create(
      { title: 'v1', model: 'LeNet-5 (MNIST)', dataset: 'mnist', profile: 'AlOx/HfO2', table: null },
      { profile: 'AlOx/HfO2' },
    );
    // As the previous version stored it: the report's JSON, flat settings and all.
    store.db
      .prepare('UPDATE predictions SET status = ?, report_json = ? WHERE id = ?')
      .run('completed', JSON.stringify(v1), id);
    expect(store.predictions.get(id).report!.settings.array.tile).toEqual({ rows: 128, cols: 128 });
    store.close();
    const services = createServices({ mode: 'browser', events: new EventHub(), dbPath });
    try {
      const api = createApiClient({
        invoke: createDispatcher(services.handlers),
        subscribe: () => () => {},
      }).call;
      const record = await api['predictions.get']({ id });
      expect(record.report!.schemaVersion).toBe(2);
      expect(record.report!.settings.mapping).toEqual({ scheme: 'differential', scale: 'mse' });
    } finally {
      await services.dispose();
    }
  });
});
