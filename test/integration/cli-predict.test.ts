import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/shared/nn/onnx';
import { PredictionReport } from '../../src/shared/rca/report';
import { quantizeLayer } from '../../src/shared/quant/quantize';
import { runCli } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

const dir = mkdtempSync(join(tmpdir(), 'reram-predict-cli-'));
const db = join(dir, 'bench.db');

describe('CLI: quantize, predict, demo', () => {
  it('quantize --json keeps the weights in input order and reports α, levels, MSE and max error', async () => {
    const levels = join(dir, 'levels.csv');
    writeFileSync(
      levels,
      'level,g_siemens,sigma_siemens,n\n0,1e-6,0,1\n1,4e-6,0,1\n2,6e-6,0,1\n3,7e-6,0,1\n',
    );
    const weights = join(dir, 'w.json');
    writeFileSync(
      weights,
      JSON.stringify({
        layers: [
          { name: 'fc', weights: [0.6, -0.3, 0.1, 0] },
          { name: 'out', weights: [1, -1] },
        ],
      }),
    );
    const result = await runCli([
      'quantize',
      '--levels',
      levels,
      '--weights',
      weights,
      '--method',
      'mes',
      '--scale',
      'max',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      layers: Array<{
        name: string;
        alpha: number;
        levels: number[];
        realized: number[];
        mse: number;
        maxError: number;
      }>;
    };
    expect(out.layers.map((l) => l.name)).toEqual(['fc', 'out']);
    expect(out.layers[0]!.levels).toEqual([3, 1, 0, 0]);
    expect(out.layers[0]!.realized.map((x) => Number(x.toFixed(12)))).toEqual([0.6, -0.3, 0, 0]);
    expect(out.layers[0]!.alpha).toBeCloseTo(1e5, 3);
    expect(out.layers[0]!.maxError).toBeCloseTo(0.1, 12);

    writeFileSync(weights, JSON.stringify({ layers: [{ name: 'fc', weights: [0.1, null] }] }));
    const bad = await runCli([
      'quantize',
      '--levels',
      levels,
      '--weights',
      weights,
      '--method',
      'mes',
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/layers\[0\]\.weights\[1\]/);
  });

  it("quantize --method mes-sigma uses the table's σ (it used to ignore it and return MES)", async () => {
    // Levels with a noisy top: MES-σ trades a little bias for less expected error, as the library does.
    const levels = join(dir, 'noisy.csv');
    const table = [
      [1e-6, 0.05e-6],
      [3e-6, 0.05e-6],
      [5e-6, 0.05e-6],
      [7e-6, 1.5e-6],
    ];
    writeFileSync(
      levels,
      `level,g_siemens,sigma_siemens,n\n${table.map(([g, s], k) => `${k},${g},${s},10`).join('\n')}\n`,
    );
    const weights = join(dir, 'w-sigma.json');
    const w = Array.from({ length: 40 }, (_, k) => Math.sin(k * 1.7) * 0.9);
    writeFileSync(weights, JSON.stringify({ layers: [{ name: 'fc', weights: w }] }));
    const run = async (method: string, extra: string[] = []) => {
      const r = await runCli([
        'quantize',
        '--levels',
        levels,
        '--weights',
        weights,
        '--method',
        method,
        '--json',
        ...extra,
      ]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { layers: Array<{ levels: number[]; alpha: number }> }).layers[0]!;
    };
    const [mes, mesSigma, noSigma] = await Promise.all([
      run('mes'),
      run('mes-sigma'),
      run('mes-sigma', ['--sigma-scale', '0']),
    ]);
    const g = table.map(([x]) => x!);
    const expected = quantizeLayer('fc', w, g, {
      method: 'mes-sigma',
      scheme: 'differential',
      scale: 'mse',
      sigma: table.map(([, s]) => s!),
    });
    expect(mesSigma.levels).toEqual(Array.from(expected.levelIndex));
    expect(mesSigma.levels).not.toEqual(mes.levels);
    // σ scaled to 0: MES-σ is MES exactly.
    expect(noSigma.levels).toEqual(mes.levels);
  });

  it('predict prints an accuracy table, writes a report and simulated .onnx models', async () => {
    const report = join(dir, 'report.json');
    const models = join(dir, 'onnx');
    const result = await runCli([
      'predict',
      '--profile',
      'AlOx/HfO2',
      '--methods',
      'float,linear,mes',
      '--bits',
      '3,4',
      '--limit',
      '200',
      '--trials',
      '2',
      '--adc',
      '8',
      '--read-noise',
      '0.02',
      '--tile',
      '64x32',
      '--report',
      report,
      '--save-onnx',
      models,
      '--db',
      db,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/method\s+3-bit\s+4-bit/);
    expect(result.stdout).toMatch(/MES\s+\d+\.\d+ ± \d+\.\d+ %/);
    const written = JSON.parse(readFileSync(report, 'utf8')) as { schemaVersion: number };
    // Version 2: the settings grouped by hardware part.
    expect(written.schemaVersion).toBe(2);
    const parsed = PredictionReport.parse(written);
    expect(parsed.settings.array.tile).toEqual({ rows: 64, cols: 32 });
    expect(parsed.results.map((r) => `${r.method}:${r.bits}`)).toEqual([
      'float:null',
      'linear:3',
      'linear:4',
      'mes:3',
      'mes:4',
    ]);
    expect(readdirSync(models).sort()).toEqual([
      'linear-3bit.onnx',
      'linear-4bit.onnx',
      'mes-3bit.onnx',
      'mes-4bit.onnx',
    ]);
    const simulated = decodeModel(new Uint8Array(readFileSync(join(models, 'mes-4bit.onnx'))));
    const ops = new Set(simulated.graph!.node!.map((n) => n.opType));
    for (const op of ['Slice', 'Round', 'RandomNormalLike', 'Sum']) expect(ops.has(op!)).toBe(true);
  });

  it('predict --json is machine-readable; bad input exits non-zero with the reason', async () => {
    const json = await runCli([
      'predict',
      '--profile',
      'Ag:a-Si',
      '--methods',
      'mes',
      '--bits',
      '3',
      '--limit',
      '100',
      '--trials',
      '1',
      '--json',
      '--db',
      db,
    ]);
    expect(json.code).toBe(0);
    expect(PredictionReport.parse(JSON.parse(json.stdout)).results[0]!.method).toBe('mes');
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, 'not an onnx file at all');
    const bad = await runCli(['predict', '--profile', 'AlOx/HfO2', '--model', corrupt, '--db', db]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a valid ONNX file/);
    const shape = await runCli([
      'predict',
      '--profile',
      'AlOx/HfO2',
      '--model',
      'builtin:vgg16',
      '--data',
      'builtin:mnist',
      '--db',
      db,
    ]);
    expect(shape.stderr).toMatch(/expects 3×32×32/);
    expect((await runCli(['predict', '--profile', 'AlOx/HfO2', '--methods', 'magic', '--db', db])).code).toBe(
      2,
    );
  });

  it('demo runs the whole story headless', async () => {
    const result = await runCli(['demo', '--limit', '200', '--trials', '2', '--db', db], {
      timeoutMs: 120_000,
    });
    expect(result.code).toBe(0);
    for (const step of [
      '[1/5] Virtual SMU',
      '[2/5] Forming',
      '[3/5] Pulse train',
      '[4/5] Fit',
      '[5/5] Predict',
    ])
      expect(result.stderr).toContain(step);
    expect(result.stdout).toMatch(/Quantization onto the measured levels alone/);
    expect(result.stdout).toMatch(/linear\s+\d+\.\d+ ± /);
    const profiles = JSON.parse((await runCli(['profile', 'list', '--db', db, '--json'])).stdout) as Array<{
      name: string;
    }>;
    expect(profiles.some((p) => p.name.startsWith('demo AlOx/HfO2'))).toBe(true);
  });
});

describe('predict --device', () => {
  it('cuda without a GPU build says what is missing, in one message and no stack', async () => {
    const result = await runCli([
      'predict',
      '--profile',
      'AlOx/HfO2',
      '--methods',
      'float',
      '--device',
      'cuda',
      '--db',
      tempDbPath(),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /--device cuda is not available here .*onnxruntime-node-install-cuda=v12.*--device cpu/s,
    );
    expect(result.stderr).not.toMatch(/\n\s+at |provider_bridge/);
    const bad = await runCli(['predict', '--profile', 'AlOx/HfO2', '--device', 'tpu', '--db', tempDbPath()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--device must be cpu or cuda/);
  });
});
