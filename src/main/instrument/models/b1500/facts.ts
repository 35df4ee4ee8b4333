/** The Keysight B1500A's facts from its manual, read by both its driver and its simulator. */
import type { SmuModelInfo } from '../model';

/**
 * Keysight B1500A with HRSMU (B1517A) or MPSMU (B1511A/B) modules, in its FLEX command set
 * (B1500A/B1505A Programming Guide; see docs/bench-setup.md for what we could and could not
 * check). Pulsed spot measurement (MM 3): PT hold, width, period; the pulse width 0.5 ms – 2 s in
 * 0.1 ms steps; the period 5 ms – 5 s and at least the width + 2 ms (width ≤ 100 ms) or + 10 ms
 * (longer), as EasyEXPERT's automatic period gives it; the hold time 0 – 655.35 s. The reading
 * sits at the end of the pulse, over the pulsed-measurement ADC's time (AIT 2, 3, t).
 */
export const B1500_FLEX = {
  minWidthS: 0.5e-3,
  maxWidthS: 2,
  widthResolutionS: 0.1e-3,
  minPeriodS: 5e-3,
  maxPeriodS: 5,
  maxHoldS: 655.35,
  /** A/D time mode (AIT 0|2, 3, t): 2 µs to 20 ms in 2 µs steps. */
  minAdcTimeS: 2e-6,
  maxAdcTimeS: 20e-3,
  /** High-resolution ADC in PLC mode (AIT 1, 2, N): N = 1 to 100. */
  maxPlc: 100,
  /** The modules this driver runs, as UNT? names them, and what they are. */
  smuModules: { B1517A: 'HRSMU', B1511A: 'MPSMU', B1511B: 'MPSMU' } as Readonly<Record<string, string>>,
  /** Modules in the mainframe that are not a DC SMU, named in the refusal. */
  otherModules: {
    B1530A: 'WGFMU (waveform generator/fast measurement unit)',
    B1525A: 'SPGU (pulse generator unit)',
    B1520A: 'MFCMU (capacitance measurement unit)',
    B1510A: 'HPSMU (high-power SMU, not supported here)',
    B1514A: 'MCSMU (medium-current SMU, not supported here)',
  } as Readonly<Record<string, string>>,
} as const;

/** EasyEXPERT's automatic pulse period for a width (s): 5 ms up to 3 ms, then width + 2 ms, or + 10 ms above 100 ms. */
export function b1500PulsePeriod(width: number): number {
  const period = width <= 3e-3 ? 5e-3 : width <= 100e-3 ? width + 2e-3 : width + 10e-3;
  return Math.min(B1500_FLEX.maxPeriodS, Number(period.toFixed(4)));
}

/** What the app shows and checks of the model. */
export const B1500_INFO: SmuModelInfo & { id: 'b1500' } = {
  id: 'b1500',
  label: 'Keysight B1500A (FLEX)',
  links: ['gpib', 'lan'],
  terminals: ['rear'],
  // The HRSMU/MPSMU modules: ±100 V, 100 mA.
  maxVoltage: 100,
  maxCompliance: 0.1,
  // High-speed ADC in time mode (2 µs – 20 ms) below 1 PLC; high-resolution ADC in PLC mode (1–100).
  nplc: (f) => ({ min: B1500_FLEX.minAdcTimeS * f, max: 100 }),
};

/** *IDN? as the B1500A answers it (the simulator's, with its serial). */
export const b1500Idn = (serial: string) => `Keysight Technologies,B1500A,${serial},A.06.03.2020.0605`;
