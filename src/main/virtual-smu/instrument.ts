/**
 * The virtual source-measure unit: instrument state (source level, compliance, output, ranges,
 * NPLC, sense functions, list sweeps, pulse timing, error queue, virtual clock) driving one cell
 * of a simulated die. Each model's dialect sits on top of it (instrument/models/<model>/). Time is virtual: each
 * operation advances the clock, and the server paces replies by `virtual seconds × time scale`.
 */
import type { Die } from './die';
import { ScpiError, SCPI_ERRORS } from './scpi-parser';

export interface Reading {
  /** Programmed level. */
  vSource: number;
  /** Voltage at the terminals (lower than vSource in compliance). */
  v: number;
  i: number;
  compliance: boolean;
  /** |I| beyond a fixed range: the instrument reports 9.9E37. */
  overflow: boolean;
  /** Virtual timestamp (s since *RST or power-on). */
  t: number;
}

export const MAX_SOURCE_VOLTAGE = 210;
const ERROR_QUEUE_LENGTH = 10;

/**
 * Where one model's physics and reset state differ, declared in its model folder
 * (instrument/models/<model>/index.ts) from its manual.
 */
export interface VirtualSmuTraits {
  /** The model's id, as the simulator reports it. */
  readonly model: string;
  /** Compliance and terminals after *RST. */
  readonly compliance: number;
  readonly terminals: 'FRON' | 'REAR';
  /** Reading elements after *RST (:FORM:ELEM). */
  readonly elements: readonly string[];
  /** The output turns off when compliance is reached, after *RST (the B2900's :OUTP:PROT ON). */
  readonly offAtCompliance: boolean;
  /** Time from a new source level to the level at the terminals (the 2400's source configuration). */
  readonly sourceConfigurationS: number;
  /** A/D conversions in one reading, and the fixed A/D time each adds to its integration. */
  conversions(functions: 1 | 2, autoZero: boolean): number;
  readonly conversionOverheadS: number;
  /** A reading's time beyond its conversions (firmware). */
  readingOverheadS(functions: 1 | 2, autoZero: boolean): number;
}

/** A model's traits: one conversion per reading without overhead unless the model says otherwise. */
export function virtualTraits(
  traits: Pick<VirtualSmuTraits, 'model' | 'compliance' | 'terminals'> & Partial<VirtualSmuTraits>,
): VirtualSmuTraits {
  return {
    elements: ['VOLT', 'CURR', 'RES', 'TIME', 'STAT'],
    offAtCompliance: false,
    sourceConfigurationS: 0,
    conversions: () => 1,
    conversionOverheadS: 0,
    readingOverheadS: () => 0,
    ...traits,
  };
}

export type TriggerBlock =
  { kind: 'source'; on: boolean } | { kind: 'delay'; seconds: number } | { kind: 'measure'; count: number };

export class VirtualInstrument {
  // Source.
  output = false;
  level = 0;
  triggerLevel = 0;
  compliance: number;
  sourceDelay = 0;
  autoClear = false;
  outputOffMode = 'NORM';
  sourceMode: 'FIX' | 'LIST' = 'FIX';
  listVoltages: number[] = [];
  pulseShape: 'DC' | 'PULS' = 'DC';
  pulseWidth = 1e-3;
  pulseDelay = 0;
  acquireDelay = 0;
  // Measure.
  nplc = 1;
  lineFrequency = 50;
  /** Functions measured: the 2400 reports the programmed level as VOLT unless VOLT is measured. */
  senseFunctions = new Set<'VOLT' | 'CURR'>(['CURR']);
  concurrent = true;
  /** Fixed current range (A), or null for auto range. */
  currentRange: number | null = null;
  autoZero = true;
  readback = true;
  remoteSense = false;
  terminals: 'FRON' | 'REAR';
  filter = false;
  // Trigger.
  triggerCount = 1;
  armCount = 1;
  triggerDelay = 0;
  triggerSource = 'AINT';
  // B2900 output behaviour.
  offAtCompliance = false;
  autoOff = false;
  elements: string[] = [];
  lastTrip = false;
  fetched: Reading[] = [];
  /** 2450 trigger model: blocks by number (1…), run in order by :INIT. */
  triggerBlocks: Array<TriggerBlock | undefined> = [];
  /** 2450 defbuffer1, as the trigger model's measure blocks fill it. */
  buffer: Reading[] = [];
  esr = 0;
  // Virtual time.
  clock = 0;
  /** Virtual seconds not yet paced by the server. */
  pendingSeconds = 0;
  private readonly errors: ScpiError[] = [];
  cellIndex = 0;
  /**
   * Whether a cell is between the terminals: false when a switch matrix in front of the die
   * connects none (an open circuit) or several (not a measurement of one cell).
   */
  cellConnected = true;
  /** The largest |V| ever programmed (the instrument's own record, for safety tests). */
  peakLevel = 0;
  /** How long the output was on in the last auto-clear cycle or hardware pulse (s): the truth a driver's width is checked against. */
  lastPulseSeconds = 0;
  /**
   * The safety interlock line (fixture lid closed): a bench fact, not a setting, so *RST keeps it.
   * Open, a 2450 limits its output to ±37 V and a B2900 to ±42 V.
   */
  interlockAsserted = true;
  /** Reported to the server's log, so the instrument's own history of its output can be read. */
  onOutputChange: (on: boolean) => void = () => {};

  constructor(
    readonly traits: VirtualSmuTraits,
    readonly die: Die,
    readonly serial: string,
    /** The 2450's command set (*LANG?): it persists across power cycles on the real one. */
    readonly language = 'SCPI',
  ) {
    this.compliance = traits.compliance;
    this.terminals = traits.terminals;
    this.reset();
  }

  get model(): string {
    return this.traits.model;
  }

  get cell() {
    return this.die.cells[this.cellIndex]!;
  }

  reset(): void {
    this.setOutput(false);
    this.level = 0;
    this.triggerLevel = 0;
    this.compliance = this.traits.compliance;
    this.sourceDelay = 0;
    this.autoClear = false;
    this.outputOffMode = 'NORM';
    this.sourceMode = 'FIX';
    this.listVoltages = [];
    this.pulseShape = 'DC';
    this.pulseWidth = 1e-3;
    this.pulseDelay = 0;
    this.acquireDelay = 0;
    this.nplc = 1;
    this.senseFunctions = new Set(['CURR']);
    this.concurrent = true;
    this.currentRange = null;
    this.autoZero = true;
    this.readback = true;
    this.remoteSense = false;
    this.terminals = this.traits.terminals;
    this.filter = false;
    this.triggerCount = 1;
    this.armCount = 1;
    this.triggerDelay = 0;
    this.triggerSource = 'AINT';
    this.offAtCompliance = this.traits.offAtCompliance;
    this.autoOff = false;
    this.elements = [...this.traits.elements];
    this.lastTrip = false;
    this.fetched = [];
    this.triggerBlocks = [];
    this.buffer = [];
  }

  pushError(error: ScpiError): void {
    this.esr |=
      error.code <= -400
        ? 0x04
        : error.code <= -200 && error.code > -300
          ? 0x10
          : error.code <= -100 && error.code > -200
            ? 0x20
            : 0x08;
    if (this.errors.length >= ERROR_QUEUE_LENGTH)
      this.errors[ERROR_QUEUE_LENGTH - 1] = new ScpiError(-350, 'Queue overflow');
    else this.errors.push(error);
  }

  popError(): string {
    const error = this.errors.shift();
    return error ? `${error.code},"${error.message}"` : '0,"No error"';
  }

  /** The oldest error as it is (TSP prints its fields itself). */
  popErrorEntry(): ScpiError | undefined {
    return this.errors.shift();
  }

  errorCount(): number {
    return this.errors.length;
  }

  /** Advances virtual time with the source as it is: the cell sees the bias only while the output is on. */
  advance(seconds: number, level = this.level): void {
    if (seconds <= 0) return;
    if (this.output && this.cellConnected) this.cell.stress(level, seconds, this.compliance, this.clock);
    this.clock += seconds;
    this.pendingSeconds += seconds;
  }

  /**
   * Levels that reached the cell between 2400 auto-clear cycles: with auto-clear on, the cycle
   * times the pulse, but an output already on applies a new level at once and holds it for the
   * link's latency until the next cycle ends (about 7 ms at 9600 baud). A timing fault of the driver.
   */
  readonly untimedBias: number[] = [];

  /** The source level as a command sets it (not as a cycle does). */
  commandLevel(v: number): void {
    this.setLevel(v);
    if (this.autoClear && this.output && v !== 0) this.untimedBias.push(v);
  }

  /** The output switch as a command sets it. */
  commandOutput(on: boolean): void {
    if (on && !this.output && this.autoClear && this.level !== 0) this.untimedBias.push(this.level);
    this.setOutput(on);
  }

  setOutput(on: boolean): void {
    if (on !== this.output) this.onOutputChange(on);
    this.output = on;
    if (!on) this.lastTrip = false;
  }

  setLevel(v: number): void {
    if (!Number.isFinite(v) || Math.abs(v) > MAX_SOURCE_VOLTAGE) throw SCPI_ERRORS.outOfRange();
    this.level = v;
    this.peakLevel = Math.max(this.peakLevel, Math.abs(v));
  }

  /** The 2400's measured functions in one reading (V and I when concurrent). */
  private functions(): 1 | 2 {
    return this.concurrent && this.senseFunctions.size > 1 ? 2 : 1;
  }

  /** A/D conversions per reading (2400 Appendix A): one per function, two more with auto-zero. */
  conversions(): number {
    return this.traits.conversions(this.functions(), this.autoZero);
  }

  /** The time a reading's conversions take, each with its fixed A/D part on the 2400. */
  private conversionSeconds(): number {
    return this.conversions() * (this.integrationTime() + this.traits.conversionOverheadS);
  }

  integrationTime(): number {
    return this.nplc / this.lineFrequency;
  }

  /** The cell at the present level, with compliance and the fixed range applied. */
  private sample(level: number): Omit<Reading, 't'> {
    const m = !this.output
      ? { v: 0, i: 0, compliance: false }
      : this.cellConnected
        ? this.cell.measure(level, this.compliance, this.clock)
        : { v: level, i: 0, compliance: false }; // open circuit: the source's level, no current
    const overflow = this.currentRange !== null && Math.abs(m.i) > 1.05 * this.currentRange;
    return { vSource: level, ...m, overflow };
  }

  /** One reading: the bias stays on through every conversion and the reading's overhead. */
  measureNow(): Reading {
    this.advance(this.conversionSeconds());
    const m = this.sample(this.level);
    this.lastTrip = m.compliance;
    this.advance(this.traits.readingOverheadS(this.functions(), this.autoZero));
    if (m.compliance && this.offAtCompliance) this.setOutput(false);
    return { ...m, t: this.clock };
  }

  /** Source-delay-measure at a level (2400 style); with auto-clear the output is on only for this cycle. */
  sourceDelayMeasure(v: number): Reading {
    this.setLevel(v);
    if (this.autoClear) this.setOutput(true);
    if (!this.output) throw SCPI_ERRORS.settingsConflict();
    const on = this.clock;
    this.advance(this.traits.sourceConfigurationS);
    this.advance(this.sourceDelay);
    const reading = this.measureNow();
    if (this.autoClear) {
      this.setOutput(false);
      this.lastPulseSeconds = this.clock - on;
    }
    return reading;
  }

  /**
   * 2450 :INIT: the trigger model's blocks in order. A source block switches the output (the
   * level set while it was off applies from that instant); the time from on to off is the pulse.
   */
  runTriggerModel(): void {
    const blocks = this.triggerBlocks.slice(1);
    if (blocks.length === 0 || blocks.some((b) => b === undefined)) throw SCPI_ERRORS.settingsConflict();
    let on: number | undefined;
    for (const block of blocks as TriggerBlock[]) {
      if (block.kind === 'source') {
        this.setOutput(block.on);
        if (block.on) on = this.clock;
        else if (on !== undefined) this.lastPulseSeconds = this.clock - on;
      } else if (block.kind === 'delay') this.advance(block.seconds);
      else {
        if (!this.output) throw SCPI_ERRORS.settingsConflict();
        for (let k = 0; k < block.count; k++) this.buffer.push(this.measureNow());
      }
    }
  }

  /** READ?: a fixed level or a list sweep, triggerCount points. */
  read(): Reading[] {
    if (!this.output && !this.autoClear) throw SCPI_ERRORS.settingsConflict();
    const readings: Reading[] = [];
    for (let k = 0; k < this.triggerCount * this.armCount; k++) {
      const v =
        this.sourceMode === 'LIST'
          ? this.listVoltages[k % Math.max(1, this.listVoltages.length)]
          : this.level;
      if (v === undefined) throw SCPI_ERRORS.settingsConflict();
      this.advance(this.triggerDelay);
      readings.push(this.sourceDelayMeasure(v));
    }
    if (this.sourceMode === 'LIST') this.level = readings[readings.length - 1]?.vSource ?? this.level;
    this.fetched = readings;
    return readings;
  }

  /**
   * B2900 triggered action. In pulse shape, a pulse from the base level to the trigger level:
   * the edge rises with a 5 µs time constant, and the measurement integrates over
   * [acquire delay, + aperture] — on the top only when the acquire delay puts it there.
   */
  trigger(): Reading[] {
    if (!this.output) throw SCPI_ERRORS.settingsConflict();
    const readings: Reading[] = [];
    for (let k = 0; k < this.triggerCount; k++) {
      const peak =
        this.sourceMode === 'LIST'
          ? this.listVoltages[k % Math.max(1, this.listVoltages.length)]!
          : this.triggerLevel;
      if (this.pulseShape === 'PULS') {
        const base = this.level;
        const aperture = this.integrationTime();
        const start = this.acquireDelay;
        const end = start + aperture;
        const top0 = this.pulseDelay;
        const top1 = this.pulseDelay + this.pulseWidth;
        // Voltage seen during the window: the fraction inside the settled top, after the edge.
        const tau = 5e-6;
        const settled = (t: number) => 1 - Math.exp(-Math.max(0, t - top0) / tau);
        const inside = Math.max(0, Math.min(end, top1) - Math.max(start, top0));
        const mid = (Math.max(start, top0) + Math.min(end, top1)) / 2;
        const fraction = aperture > 0 ? (inside / aperture) * settled(mid) : 0;
        const seen = base + (peak - base) * fraction;
        this.advance(top0, base);
        this.advance(this.pulseWidth, peak);
        this.lastPulseSeconds = this.pulseWidth;
        const m = this.sample(seen);
        this.lastTrip = m.compliance;
        readings.push({ ...m, vSource: peak, t: this.clock });
        this.advance(Math.max(0, end - top1), base);
      } else {
        this.level = peak;
        readings.push(this.measureNow());
      }
    }
    this.fetched = readings;
    if (this.autoOff) this.setOutput(false);
    return readings;
  }
}
