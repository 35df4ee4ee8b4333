import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  customPairConverter,
  piecewiseStep,
  piecewiseStepAt,
  piecewiseUpCurve,
} from '../../src/shared/interop/aihwkit';
import { deviceDataFromProfile } from '../../src/shared/interop/device-data';
import { monotoneCurve, neurosimMlp } from '../../src/shared/interop/neurosim';
import { builtinProfiles } from '../../src/shared/profile/builtin';

const alox = builtinProfiles('t').find((p) => p.name === 'AlOx/HfO2')!;

describe('interop formats', () => {
  it('monotoneCurve: strictly monotone, pinned to the window, and the identity on clean data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 5e-5, noNaN: true }), { minLength: 2, maxLength: 80 }),
        fc.boolean(),
        (values, increasing) => {
          const { curve } = monotoneCurve(values, increasing, 1e-6, 5e-5);
          expect(curve).toHaveLength(values.length);
          expect(curve[0]).toBe(increasing ? 1e-6 : 5e-5);
          expect(curve[curve.length - 1]).toBe(increasing ? 5e-5 : 1e-6);
          for (let k = 1; k < curve.length; k++)
            expect(increasing ? curve[k]! > curve[k - 1]! : curve[k]! < curve[k - 1]!).toBe(true);
        },
      ),
    );
    const clean = [1e-6, 2e-6, 4e-6, 5e-5];
    expect(monotoneCurve(clean, true, 1e-6, 5e-5)).toEqual({ curve: clean, changed: 0 });
  });

  it('NeuroSim: the preset’s own parameters come back (NL, levels, σ in siemens), LTD negative', () => {
    const mlp = neurosimMlp(deviceDataFromProfile(alox, alox.tables[1]!.name));
    expect(mlp.realDevice).toMatchObject({
      NL_LTP: 1.94,
      NL_LTD: -0.61,
      maxNumLevelLTP: 40,
      maxNumLevelLTD: 40,
      nonlinearWrite: true,
    });
    expect(mlp.realDevice.sigmaCtoC as number).toBeCloseTo(0.05 * (59.2e-6 - 13.4e-6), 12);
  });

  it('aihwkit: on a noise-free model curve, the piecewise device retraces it within a segment', () => {
    const data = deviceDataFromProfile(alox, alox.tables[1]!.name);
    const { device } = piecewiseStep(data, 10);
    // Example 21's centre normalisation: the centre step of the larger direction is 1.
    expect(Math.max(device.piecewise_up[5]!, device.piecewise_down[5]!)).toBeCloseTo(1, 12);
    const replay = piecewiseUpCurve(device);
    expect(Math.abs(replay.length - 1 - 40)).toBeLessThanOrEqual(4);
    // The step at the centre node is dw_min in the stronger direction, and the weaker
    // direction's is (1 − |up_down|) of it, as PulsedRPUDevice::populate scales them.
    // Node 5 of 10 (aihwkit spaces the nodes evenly over [w_min, w_max]).
    const at = piecewiseStepAt(device, -1 + (2 * 5) / 9);
    expect(Math.max(at.up, at.down)).toBeCloseTo(
      device.dw_min * Math.max(device.piecewise_up[5]!, device.piecewise_down[5]!),
      9,
    );
  });

  it('aihwkit: the converter maps evenly spaced weights onto the measured levels, in µS', () => {
    const data = deviceDataFromProfile(alox, alox.tables[0]!.name);
    const converter = customPairConverter(data, 2);
    const [gp, gm] = converter.g_lst as [number[], number[]];
    expect(gp).toHaveLength(7);
    expect(gp[3]).toBe(gm[3]); // zero weight: both at G0
    expect(converter.g_min).toBeCloseTo(13.4, 6);
    expect(converter.g_max).toBeCloseTo(59.2, 6);
  });
});
