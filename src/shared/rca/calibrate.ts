/**
 * ADC/DAC range calibration on a calibration batch, per chip: the crossbar runs without
 * converters but with taps on every layer input and every tile's partial sums, and the
 * full-scale ranges are taken as the largest magnitudes seen (per column for the ADC, then
 * shared across each column tile, as one converter reference per tile). The probe graph is
 * built once per configuration; each chip only feeds its cells to it.
 */
import type { CancelToken } from '../errors';
import type { Dataset } from '../nn/datasets';
import { runInBatches } from '../nn/evaluate';
import { encodeModel, type ModelProto } from '../nn/onnx';
import type { OrtRuntime, OrtSessionLike } from '../nn/runtime';
import type { BatchedGraph, BatchedTap } from './batched';
import {
  buildCrossbarModel,
  type CalibrationRanges,
  type CrossbarGraph,
  type CrossbarOptions,
} from './transform';

/** Runs a probe (a crossbar graph with taps) over the batch and reads the ranges off its taps. */
export async function measureRanges(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  taps: CrossbarGraph['taps'],
  tileColumns: number,
  batch: Dataset,
  options: { feeds?: Record<string, unknown>; cancel?: CancelToken | undefined } = {},
): Promise<CalibrationRanges> {
  const ranges: CalibrationRanges = { dac: new Map(), adc: new Map() };
  // The taps are reduced in the graph (crossbarGraph): a batch gives each layer input's max |x|
  // and min x, and each tile's per-column max |partial sum|.
  await runInBatches(runtime, session, batch, 128, options, (outputs) => {
    for (const tap of taps.dac)
      widenDacRange(ranges, tap.layer, outputs[tap.max]!.data[0]!, outputs[tap.min]!.data[0]! < 0);
    for (const tap of taps.adc) {
      const maxima = outputs[tap.max]!.data;
      const perTile = ranges.adc.get(tap.layer) ?? [];
      const range = (perTile[tap.tile] ??= new Float32Array(maxima.length));
      for (let c = 0; c < maxima.length; c++) if (maxima[c]! > range[c]!) range[c] = maxima[c]!;
      ranges.adc.set(tap.layer, perTile);
    }
  });
  shareColumnTiles(ranges, tileColumns);
  return ranges;
}

/** One full-scale reference per column tile: the largest of its columns' ranges. */
function shareColumnTiles(ranges: CalibrationRanges, tileColumns: number): void {
  for (const perTile of ranges.adc.values()) {
    for (const range of perTile) {
      for (let c0 = 0; c0 < range.length; c0 += tileColumns) {
        const end = Math.min(range.length, c0 + tileColumns);
        let max = 0;
        for (let c = c0; c < end; c++) max = Math.max(max, range[c]!);
        range.fill(max, c0, end);
      }
    }
  }
}

/**
 * K chips' ranges from one batched probe ({@link batchedCrossbarGraph} with taps), in near-equal
 * chunks of at most 256 image-chips per call, the memory the evaluation's calls take (250). The
 * taps' maxima do not depend on the chunks; fewer, even calls (4 × 25 images for 100 at K = 8,
 * where chunks of 16 left a last call of 4) made LeNet-5's probe 0.3–0.5 ms per chip faster.
 */
export async function measureChipRanges(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  probe: BatchedGraph,
  tileColumns: number,
  batch: Dataset,
  options: { feeds: Record<string, unknown>; cancel?: CancelToken | undefined },
): Promise<CalibrationRanges[]> {
  const ranges = Array.from({ length: probe.chips }, (): CalibrationRanges => ({
    dac: new Map(),
    adc: new Map(),
  }));
  const cap = Math.max(8, Math.ceil(256 / probe.chips));
  const chunk = Math.ceil(batch.count / Math.max(1, Math.ceil(batch.count / cap)));
  await runInBatches(runtime, session, batch, chunk, options, (outputs) =>
    rangesFromTaps(outputs, probe.taps, ranges),
  );
  for (const chip of ranges) shareColumnTiles(chip, tileColumns);
  return ranges;
}

/** One chip's ranges with a probe built for it alone (tests, benchmarks, single models). */
export async function calibrate(
  runtime: OrtRuntime,
  base: ModelProto,
  options: CrossbarOptions,
  batch: Dataset,
  cancel?: CancelToken,
): Promise<CalibrationRanges> {
  // Same tiles as the final crossbar (so the partial sums exist to be tapped), converters off.
  const probe = buildCrossbarModel(
    base,
    {
      ...options,
      adc: { bits: null },
      dac: { bits: null },
      array: { ...options.array, forceTiles: options.array.forceTiles || options.adc.bits !== null },
    },
    undefined,
    true,
  );
  const session = await runtime.createSession(encodeModel(probe.model));
  try {
    return await measureRanges(runtime, session, probe.taps, options.array.tile.cols, batch, { cancel });
  } finally {
    await session.release?.();
  }
}

/** Each chip's calibrated ranges, read off one batched probe's (reduced) taps. */
function rangesFromTaps(
  outputs: Record<string, { data: ArrayLike<number>; dims: readonly number[] }>,
  taps: readonly BatchedTap[],
  ranges: CalibrationRanges[],
): void {
  ranges.forEach((chip, k) => {
    for (const tap of taps) {
      if (tap.kind === 'dac') {
        const at = tap.shared ? 0 : k;
        const max = outputs[tap.max]!.data[at]!;
        const min = outputs[tap.min]!.data[at]!;
        widenDacRange(chip, tap.layer, max, min < 0);
        continue;
      }
      const out = outputs[tap.max]!;
      const columns = out.dims[1]!;
      const perTile = chip.adc.get(tap.layer) ?? [];
      const range = (perTile[tap.tile] ??= new Float32Array(columns));
      for (let c = 0; c < columns; c++) range[c] = Math.max(range[c]!, out.data[k * columns + c]!);
      chip.adc.set(tap.layer, perTile);
    }
  });
}

/** A layer's DAC range grown by one batch: the largest |x| so far, signed once any x was negative. */
function widenDacRange(ranges: CalibrationRanges, layer: string, max: number, negative: boolean): void {
  const previous = ranges.dac.get(layer);
  ranges.dac.set(layer, {
    max: Math.max(max, previous?.max ?? 0),
    signed: negative || (previous?.signed ?? false),
  });
}
