import { gzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_PRESETS } from '../../src/shared/levels/presets';
import { datasetFromCifar10, datasetFromIdx, parseIdx, type Dataset } from '../../src/shared/nn/datasets';
import { encodeModel } from '../../src/shared/nn/onnx';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { predict } from '../../src/shared/rca/predict';
import { PredictionReport } from '../../src/shared/rca/report';
import { nodeRuntime } from '../../src/main/nn/ort-node';
import { REPO_ROOT } from '../helpers/cli';
import { unsupportedModel } from '../helpers/onnx-models';

const resources = join(REPO_ROOT, 'resources');
const read = (...parts: string[]) => new Uint8Array(readFileSync(join(resources, ...parts)));
const runtime = nodeRuntime({ threads: 1 });
const profiles = builtinProfiles('test');

describe('predict on the bundled LeNet-5 and MNIST test set', () => {
  let mnist: Dataset;
  beforeAll(() => {
    mnist = datasetFromIdx(
      read('data', 'mnist-test-images-idx3-ubyte'),
      read('data', 'mnist-test-labels-idx1-ubyte'),
      'mnist',
    );
  });

  it('the seed study: on each strongly non-linear preset (|NL| ≥ 1.9), MES ≥ linear at 3 and 4 bits', async () => {
    const strong = DEVICE_PRESETS.filter((p) => Math.abs(p.nlLtp) >= 1.9);
    expect(strong.map((p) => p.name)).toEqual(['Ag:a-Si', 'AlOx/HfO2']);
    const lines: string[] = ['preset        method        bits  accuracy'];
    for (const preset of strong) {
      const profile = profiles.find((p) => p.name === preset.name)!;
      const report = await predict(runtime, {
        model: read('models', 'lenet5-mnist.onnx'),
        modelName: 'LeNet-5',
        dataset: mnist,
        table: profile.tables[0]!,
        profileName: profile.name,
        // Quantization onto the measured levels alone (σ = 0), as the seed study compares them.
        settings: {
          methods: ['float', 'ideal-linear', 'linear', 'mes'],
          bits: [2, 3, 4],
          sigmaScale: 0,
          trials: 1,
        },
      });
      expect(PredictionReport.safeParse(report).success).toBe(true);
      for (const r of report.results)
        lines.push(
          `${preset.name.padEnd(13)} ${r.method.padEnd(13)} ${String(r.bits ?? '—').padStart(4)}  ${(100 * r.mean).toFixed(2)} %`,
        );
      for (const bits of [3, 4]) {
        const of = (method: string) =>
          report.results.find((r) => r.method === method && r.bits === bits)!.mean;
        expect(of('mes')).toBeGreaterThanOrEqual(of('linear'));
      }
      // MES's whole point: a much smaller weight error than linear mapping onto the same levels.
      const layer = (method: string) =>
        report.layers.find((l) => l.method === method && l.bits === 3 && l.name === '/fc1/Gemm')!;
      expect(layer('mes').mse).toBeLessThan(layer('linear').mse / 5);
    }
    console.log(`LeNet-5 on ${mnist.count} MNIST test digits, σ = 0:\n${lines.join('\n')}`);
  });

  it('reports mean ± 95 % CI over seeded chip instances, reproducibly', async () => {
    const settings = { methods: ['linear', 'mes'] as const, bits: [3], trials: 4, seed: 3, limit: 300 };
    const input = {
      model: read('models', 'lenet5-mnist.onnx'),
      modelName: 'LeNet-5',
      dataset: mnist,
      // The open-loop table: its σ grows with the pulse count, so chips differ.
      table: profiles[2]!.tables[1]!,
      profileName: 'AlOx/HfO2',
    };
    const a = await predict(runtime, { ...input, settings: { ...settings, methods: [...settings.methods] } });
    const b = await predict(runtime, { ...input, settings: { ...settings, methods: [...settings.methods] } });
    expect(a.results).toEqual(b.results);
    for (const r of a.results) {
      expect(r.accuracies).toHaveLength(4);
      expect(r.ci95).toBeGreaterThan(0);
    }
    expect(a.dataset.evaluated).toBe(300);
  });

  it('common random numbers: the same chips for every method narrow the CI of the difference', async () => {
    const run = (commonChips: boolean) =>
      predict(runtime, {
        model: read('models', 'lenet5-mnist.onnx'),
        modelName: 'LeNet-5',
        dataset: mnist,
        table: profiles[0]!.tables[1]!, // Ag:a-Si, open loop: much chip-to-chip variation
        profileName: 'Ag:a-Si',
        settings: { methods: ['linear', 'mes'], bits: [3], trials: 8, seed: 5, limit: 300, commonChips },
      });
    const [paired, independent] = await Promise.all([run(true), run(false)]);
    const width = (r: Awaited<ReturnType<typeof run>>) =>
      r.results.find((x) => x.method === 'mes')!.vsLinear!.ci95;
    expect(paired.results.find((x) => x.method === 'mes')!.vsLinear!.unit).toBe('chips and images');
    console.log(
      `paired CI ±${(100 * width(paired)).toFixed(2)} pp, independent ±${(100 * width(independent)).toFixed(2)} pp`,
    );
    expect(width(paired)).toBeLessThan(0.75 * width(independent));
  });

  it('without a chip count, chips are added until the paired CIs reach the target, within the budget', async () => {
    const report = await predict(runtime, {
      model: read('models', 'lenet5-mnist.onnx'),
      modelName: 'LeNet-5',
      dataset: mnist,
      table: profiles[2]!.tables[0]!,
      profileName: 'AlOx/HfO2',
      settings: { methods: ['linear', 'mes'], bits: [3], limit: 200, untilCi: 1, minChips: 3, maxChips: 12 },
    });
    expect(report.chips.mode).toBe('until-ci');
    expect(report.chips.count).toBeGreaterThanOrEqual(3);
    expect(report.chips.count).toBeLessThanOrEqual(12);
    const ci = report.results.find((r) => r.method === 'mes')!.vsLinear!.ci95;
    const d = report.results.find((r) => r.method === 'mes')!.vsLinear!;
    if (report.chips.reachedTarget) expect(100 * ci).toBeLessThanOrEqual(1);
    else if (report.chips.limitedBy === 'budget') expect(report.chips.count).toBe(12);
    // Stopped because 200 test images, not the chips, limit the interval.
    else expect(100 * d.chipsCi95!).toBeLessThanOrEqual(0.5);
  });

  it('rejects bad input with clear errors', async () => {
    const base = {
      modelName: 'x',
      dataset: mnist,
      table: profiles[2]!.tables[0]!,
      profileName: 'p',
      settings: { methods: ['mes' as const], bits: [3] },
    };
    await expect(predict(runtime, { ...base, model: new Uint8Array([1, 2, 3, 4, 5]) })).rejects.toMatchObject(
      { code: 'MODEL', message: expect.stringMatching(/not a valid ONNX file/) },
    );
    await expect(predict(runtime, { ...base, model: encodeModel(unsupportedModel()) })).rejects.toThrow(
      /does not support: LSTM \('recurrent'\)/,
    );
    await expect(
      predict(runtime, { ...base, model: read('models', 'alexnet-style-32.onnx') }),
    ).rejects.toThrow(/1×28×28 images but the model expects 3×32×32/);
    const single = { ...profiles[2]!.tables[0]!, levels: [profiles[2]!.tables[0]!.levels[0]!] };
    await expect(
      predict(runtime, { ...base, model: read('models', 'lenet5-mnist.onnx'), table: single }),
    ).rejects.toThrow(/has 1 levels; 3 bits need 8/);
    await expect(
      predict(runtime, {
        ...base,
        model: read('models', 'lenet5-mnist.onnx'),
        table: profiles[2]!.tables[0]!,
        settings: { methods: ['mes'], bits: [6] },
      }),
    ).rejects.toThrow(/41 levels; 6 bits need 64/);
  });
});

describe('the seed study’s other networks: AlexNet- and VGG-16-style on CIFAR-format data', () => {
  it.each(['alexnet-style-32', 'vgg16-style-32'])(
    '%s runs through the whole pipeline (batch norm folded, tiles, ADC)',
    async (name) => {
      const data = datasetFromCifar10(read('data', 'fashion32-test.bin'), 'fashion32');
      expect(data.count).toBe(2000);
      const report = await predict(runtime, {
        model: read('models', `${name}.onnx`),
        modelName: name,
        dataset: data,
        table: profiles[2]!.tables[0]!,
        profileName: 'AlOx/HfO2',
        settings: {
          methods: ['float', 'mes'],
          bits: [4],
          trials: 1,
          sigmaScale: 1,
          adcBits: 8,
          limit: 100,
          calibration: 50,
        },
      });
      const float = report.results.find((r) => r.method === 'float')!.mean;
      const mes = report.results.find((r) => r.method === 'mes')!.mean;
      console.log(
        `${name}: float ${(100 * float).toFixed(1)} %, MES 4-bit with 8-bit ADC ${(100 * mes).toFixed(1)} % (${report.model.layers.length} crossbar layers)`,
      );
      expect(float).toBeGreaterThan(0.8);
      expect(mes).toBeGreaterThan(0.5);
      expect(report.model.layers.length).toBe(name.startsWith('vgg') ? 16 : 8);
    },
  );
});

describe('dataset readers', () => {
  it('IDX: raw and gzip give the same digits; malformed files are named', () => {
    const images = read('data', 'mnist-test-images-idx3-ubyte');
    const labels = read('data', 'mnist-test-labels-idx1-ubyte');
    const raw = datasetFromIdx(images, labels, 'raw');
    const gz = datasetFromIdx(gzipSync(images), gzipSync(labels), 'gz');
    expect(Buffer.from(gz.images.buffer).equals(Buffer.from(raw.images.buffer))).toBe(true);
    expect(raw.shape).toEqual([1, 28, 28]);
    expect(() => parseIdx(images.subarray(0, 1000), 'cut.idx')).toThrow(/cut\.idx holds .* bytes of data/);
    expect(() => datasetFromIdx(images, labels.subarray(0, 100), 'x')).toThrow(/labels/);
    expect(() => parseIdx(gzipSync(images).subarray(0, 500), 'bad.gz')).toThrow(/corrupt gzip/);
  });

  it('CIFAR-10 binary: records of 3073 bytes, labels 0…9', () => {
    const bytes = read('data', 'fashion32-test.bin');
    expect(() => datasetFromCifar10(bytes.subarray(0, 5000), 'part.bin')).toThrow(
      /not a whole number of CIFAR-10 records/,
    );
    const corrupt = Uint8Array.from(bytes.subarray(0, 3073));
    corrupt[0] = 42;
    expect(() => datasetFromCifar10(corrupt, 'bad.bin')).toThrow(/label 42/);
  });
});
