/**
 * One simulated ReRAM cell (docs/architecture.md §4). Its state is a conductance; programming follows
 * NeuroSim's pulse-response model with the pulse position re-derived from the present
 * conductance (so cycle-to-cycle noise accumulates as in a real device), and reads add
 * multiplicative read noise.
 */
import { conductanceAfter, pulsesAt, type PulseModel } from '../../shared/levels/pulse-model';
import type { Rng } from '../../shared/random';

export interface CellElectrical {
  /** Below these |V| a bias does not move the state. */
  setThreshold: number;
  resetThreshold: number;
  /** A pulse of this amplitude and the nominal width moves the state by exactly one pulse. */
  setNominal: number;
  resetNominal: number;
  nominalWidth: number;
  /** ΔP grows as ((|V| − Vth)/(Vnom − Vth))^amplitudeExponent · (t/tnom)^widthExponent. */
  amplitudeExponent: number;
  widthExponent: number;
  /** Forming: a pristine cell forms once |V| across it reaches this. */
  formingVoltage: number;
  pristineConductance: number;
  /** Forming with a compliance above this destroys the cell (a hard short). */
  damageCurrent: number;
  shortedConductance: number;
}

export interface CellParameters {
  ltp: PulseModel;
  ltd: PulseModel;
  /** Cycle-to-cycle σ per pulse, as a fraction of (Gmax − Gmin). */
  c2cSigma: number;
  /** Relative σ of a read. */
  readNoise: number;
  electrical: CellElectrical;
  /**
   * Wear-out: the window closes with SET/RESET cycles n as w(n) = 1 / (1 + (n/N)^4), symmetric
   * about its middle; N (this cell's cycles to 50 % window) is drawn per cell. Infinity: no wear.
   */
  enduranceCycles?: number;
  /**
   * Retention drift: after programming, G(t) = G(0) · (t/t₀)^(−ν) from t₀ = 1 s on (as aihwkit's
   * drift starts at t₀), with
   * ν = driftNu · (0.2 + 0.8 · 4x(1 − x)) at the level's place x in the window (0 at Gmin, 1 at
   * Gmax): intermediate levels drift most, as in the PCM data aihwkit's drift model is fitted to.
   * Programming restarts the clock. Undefined: no drift.
   */
  driftNu?: number;
}

export const DRIFT_T0_S = 1;

/** Steepness of the window closure around N (w falls from 0.94 at N/2 to 0.06 at 2N). */
export const WEAR_EXPONENT = 4;

export type CellLifecycle = 'pristine' | 'formed' | 'shorted';

export class Cell {
  state: CellLifecycle = 'pristine';
  g: number;
  /** Total programming pulses applied (equivalent nominal pulses), for diagnostics. */
  appliedPulses = 0;
  /** SET/RESET cycles: each change from depression to potentiation starts one. */
  cycles = 0;
  private lastDirection: 'ltp' | 'ltd' | undefined;
  /** The instrument's clock (s) when the state was last programmed: drift runs from here. */
  programmedAt = 0;

  constructor(
    readonly params: CellParameters,
    private readonly writeRng: Rng,
    private readonly readRng: Rng,
  ) {
    this.g = params.electrical.pristineConductance;
  }

  /** Equivalent nominal pulses for holding v across the cell for `seconds`. Signed: + potentiates. */
  pulseEquivalent(v: number, seconds: number): number {
    const e = this.params.electrical;
    if (seconds <= 0) return 0;
    const time = (seconds / e.nominalWidth) ** e.widthExponent;
    if (v >= e.setThreshold)
      return time * ((v - e.setThreshold) / (e.setNominal - e.setThreshold)) ** e.amplitudeExponent;
    if (v <= -e.resetThreshold)
      return -time * ((-v - e.resetThreshold) / (-e.resetNominal - e.resetThreshold)) ** e.amplitudeExponent;
    return 0;
  }

  /**
   * Holds the source at `v` with current compliance `compliance` for `seconds`. The voltage
   * across the cell is what the compliance allows, so compliance also limits programming.
   */
  stress(v: number, seconds: number, compliance: number, now = 0): void {
    if (this.state === 'shorted' || seconds <= 0) return;
    const e = this.params.electrical;
    const vCell = this.voltageAcross(v, compliance, now);
    if (this.state === 'pristine') {
      if (Math.abs(vCell) >= e.formingVoltage) {
        if (compliance > e.damageCurrent) {
          this.state = 'shorted';
          this.g = e.shortedConductance;
          return;
        }
        // The filament grows until the current reaches compliance at the forming voltage.
        const { ltp } = this.params;
        this.state = 'formed';
        this.g = Math.min(ltp.gMax, Math.max(ltp.gMin, compliance / e.formingVoltage));
        this.programmedAt = now;
      }
      return;
    }
    const pulses = this.pulseEquivalent(vCell, seconds);
    if (pulses !== 0) this.program(pulses, now);
  }

  /** The state at time `now` (s, the instrument's clock), drifted since it was programmed. */
  conductanceAt(now: number): number {
    const nuMax = this.params.driftNu;
    if (!nuMax || this.state !== 'formed') return this.g;
    const [gMin, gMax] = [
      Math.min(this.params.ltp.gMin, this.params.ltd.gMin),
      Math.max(this.params.ltp.gMax, this.params.ltd.gMax),
    ];
    const x = Math.min(1, Math.max(0, (this.g - gMin) / (gMax - gMin)));
    const nu = nuMax * (0.2 + 0.8 * 4 * x * (1 - x));
    const elapsed = Math.max(0, now - this.programmedAt);
    return this.g * Math.max(1, elapsed / DRIFT_T0_S) ** -nu;
  }

  /**
   * Moves the state by `pulses` equivalent pulses (+ LTP, − LTD) with cycle-to-cycle noise σ·√|ΔP|
   * (σ·√min(1, |ΔP|) when the pulse saturates the state), clipped to the window wear leaves.
   */
  program(pulses: number, now = 0): void {
    // The drifted state is where this pulse starts from; programming restarts the drift clock.
    this.g = this.conductanceAt(now);
    this.programmedAt = now;
    const direction = pulses > 0 ? 'ltp' : 'ltd';
    const model = this.params[direction];
    const position = pulsesAt(model, this.g, direction);
    const reached = position + Math.abs(pulses);
    const target = conductanceAfter(model, Math.min(model.pMax, reached), direction);
    // NeuroSim's σ·√ΔP is for steps inside the window. A pulse that drives the state to the edge
    // of its window ends there with the spread of one pulse, not of every pulse's worth it
    // carried (a full SET is not 140 noisy steps): nominal pulses (ΔP = 1) are unchanged.
    const spread = reached >= model.pMax ? Math.min(1, Math.abs(pulses)) : Math.abs(pulses);
    const noise =
      this.params.c2cSigma * Math.sqrt(spread) * (model.gMax - model.gMin) * this.writeRng.normal();
    if (direction === 'ltp' && this.lastDirection === 'ltd') this.cycles++;
    this.lastDirection = direction;
    const [gMin, gMax] = this.window();
    this.g = Math.min(gMax, Math.max(gMin, target + noise));
    this.appliedPulses += Math.abs(pulses);
  }

  /** The reachable conductances now: the full window, closed about its middle by wear. */
  window(): [number, number] {
    const gMin = Math.min(this.params.ltp.gMin, this.params.ltd.gMin);
    const gMax = Math.max(this.params.ltp.gMax, this.params.ltd.gMax);
    const n = this.params.enduranceCycles ?? Infinity;
    const open = Number.isFinite(n) ? 1 / (1 + (this.cycles / n) ** WEAR_EXPONENT) : 1;
    const shrink = ((gMax - gMin) * (1 - open)) / 2;
    return [gMin + shrink, gMax - shrink];
  }

  /** |V| across the cell: the source voltage, or less when the current limit holds it down. */
  voltageAcross(v: number, compliance: number, now = 0): number {
    const limit = compliance / this.conductanceAt(now);
    return Math.abs(v) <= limit ? v : Math.sign(v) * limit;
  }

  /** A measurement at source voltage v: the current (clamped at compliance) and the voltage actually across. */
  measure(v: number, compliance: number, now = 0): { v: number; i: number; compliance: boolean } {
    const noisy = this.conductanceAt(now) * (1 + this.params.readNoise * this.readRng.normal());
    const i = v * noisy;
    if (Math.abs(i) > compliance) {
      const clamped = Math.sign(v) * compliance;
      return { v: clamped / noisy, i: clamped, compliance: true };
    }
    return { v, i, compliance: false };
  }
}
