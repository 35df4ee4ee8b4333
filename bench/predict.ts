/**
 * Simulated inference speed: images/s over the bundled MNIST test set for the float model (ORT,
 * unmodified) against the simulated crossbar (MES, 4-bit, differential, 128×128 tiles,
 * programming variation on), with the ADC off and with an 8-bit ADC, in the same run.
 */
import { mesCrossbar } from '../test/helpers/crossbar-options';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { selectLevels } from '../src/shared/levels/level-table';
import { datasetFromIdx } from '../src/shared/nn/datasets';
import { evaluateAccuracy } from '../src/shared/nn/evaluate';
import { encodeModel } from '../src/shared/nn/onnx';
import { builtinProfiles } from '../src/shared/profile/builtin';
import { calibrate } from '../src/shared/rca/calibrate';
import { prepareModel } from '../src/shared/rca/predict';
import { buildCrossbarModel, type CrossbarOptions } from '../src/shared/rca/transform';
import { nodeRuntime } from '../src/main/nn/ort-node';
import { resourcesDir } from '../src/main/paths';
import { fmt, median, report } from './harness';

export async function benchPredict(): Promise<void> {
  const res = resourcesDir();
  const bytes = readFileSync(join(res, 'models', 'lenet5-mnist.onnx'));
  const dataset = datasetFromIdx(
    readFileSync(join(res, 'data', 'mnist-test-images-idx3-ubyte')),
    readFileSync(join(res, 'data', 'mnist-test-labels-idx1-ubyte')),
    'mnist',
  );
  const runtime = nodeRuntime();
  const base = prepareModel(bytes, 'lenet5');
  const table = selectLevels(builtinProfiles('bench').find((p) => p.name === 'AlOx/HfO2')!.tables[0]!, 4);
  const options = (adcBits: number | null): CrossbarOptions => mesCrossbar(table, { adcBits });

  const float = new Uint8Array(bytes);
  const t0 = performance.now();
  const plain = encodeModel(buildCrossbarModel(base, options(null)).model);
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  const ranges = await calibrate(runtime, base, options(8), {
    ...dataset,
    count: 100,
    images: dataset.images.subarray(0, 100 * 784),
  });
  const withAdc = encodeModel(buildCrossbarModel(base, options(8), ranges).model);
  const calibrateMs = performance.now() - t1;

  // Interleaved rounds, so a load spike on the machine hits all three alike.
  const models = [float, plain, withAdc];
  const sessions = await Promise.all(models.map((m) => runtime.createSession(m)));
  for (const session of sessions) await evaluateAccuracy(runtime, session, dataset); // warm-up
  const times = models.map(() => [] as number[]);
  for (let round = 0; round < 7; round++) {
    for (const [k, session] of sessions.entries()) {
      const start = performance.now();
      await evaluateAccuracy(runtime, session, dataset);
      times[k]!.push((performance.now() - start) / 1000);
    }
  }
  for (const session of sessions) await session.release?.();
  const [floatRate, simulated, adc] = times.map((t) => dataset.count / median(t)) as [number, number, number];

  report(`Inference on ${dataset.count} MNIST test images, LeNet-5 (${runtime.description}, batch 250)`, [
    ['float (unmodified ONNX)', `${fmt(floatRate)} images/s`],
    [
      'MES 4-bit, 128×128, variation, no ADC',
      `${fmt(simulated)} images/s  (${fmt(simulated / floatRate)}× float; target ≥ 0.7×: ${simulated / floatRate >= 0.7 ? 'met' : 'NOT met'})`,
    ],
    [
      '… with an 8-bit ADC on each tile',
      `${fmt(adc)} images/s  (${fmt(adc / floatRate)}× float; target ≥ 0.3×: ${adc / floatRate >= 0.3 ? 'met' : 'NOT met'})`,
    ],
    ['per chip: build the crossbar graph', `${fmt(buildMs)} ms`],
    ['per chip: calibrate ADC ranges + build', `${fmt(calibrateMs)} ms (100 images)`],
  ]);
}
