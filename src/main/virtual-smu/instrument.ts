/**
 * The virtual source-measure unit: instrument state (source level, compliance, output, NPLC,
 * list sweeps, pulse shape, error queue, virtual clock) driving one cell of a simulated die.
 * Three SCPI dialects sit on top of it (dialects.ts). Time is virtual: each operation advances
 * the clock, and the server paces replies by `virtual seconds × time scale`.
 */
import type { Die } from './die';
import { ScpiError, SCPI_ERRORS } from './scpi-parser';

export type SmuModel = '2400' | '2450' | 'b2900';
export const SMU_MODELS: readonly SmuModel[] = ['2400', '2450', 'b2900'];

export interface Reading {
  v: number;
  i: number;
  compliance: boolean;
  /** Virtual timestamp (s since *RST or power-on). */
  t: number;
}

export const MAX_SOURCE_VOLTAGE = 210;
const ERROR_QUEUE_LENGTH = 10;

export interface InstrumentDefaults {
  compliance: number;
}

export const MODEL_DEFAULTS: Record<SmuModel, InstrumentDefaults> = {
  '2400': { compliance: 105e-6 },
  '2450': { compliance: 105e-6 },
  b2900: { compliance: 100e-6 },
};

export class VirtualInstrument {
  // Source and measure settings.
  output = false;
  level = 0;
  triggerLevel = 0;
  compliance: number;
  nplc = 1;
  lineFrequency = 50;
  sourceDelay = 0;
  autoClear = false;
  sourceMode: 'FIX' | 'LIST' = 'FIX';
  listVoltages: number[] = [];
  triggerCount = 1;
  pulseShape: 'DC' | 'PULS' = 'DC';
  pulseWidth = 1e-3;
  pulseDelay = 0;
  elements: string[] = ['VOLT', 'CURR', 'RES', 'TIME', 'STAT'];
  lastTrip = false;
  fetched: Reading[] = [];
  esr = 0;
  // Virtual time.
  clock = 0;
  /** Virtual seconds not yet paced by the server. */
  pendingSeconds = 0;
  private readonly errors: ScpiError[] = [];
  cellIndex = 0;

  constructor(
    readonly model: SmuModel,
    readonly die: Die,
    readonly serial: string,
  ) {
    this.compliance = MODEL_DEFAULTS[model].compliance;
  }

  get cell() {
    return this.die.cells[this.cellIndex]!;
  }

  reset(): void {
    this.setOutput(false);
    this.level = 0;
    this.triggerLevel = 0;
    this.compliance = MODEL_DEFAULTS[this.model].compliance;
    this.nplc = 1;
    this.sourceDelay = 0;
    this.autoClear = false;
    this.sourceMode = 'FIX';
    this.listVoltages = [];
    this.triggerCount = 1;
    this.pulseShape = 'DC';
    this.pulseWidth = 1e-3;
    this.pulseDelay = 0;
    this.elements =
      this.model === 'b2900'
        ? ['VOLT', 'CURR', 'RES', 'TIME', 'STAT', 'SOUR']
        : ['VOLT', 'CURR', 'RES', 'TIME', 'STAT'];
    this.lastTrip = false;
    this.fetched = [];
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

  errorCount(): number {
    return this.errors.length;
  }

  /** Advances virtual time with the source as it is: the cell sees the bias only while the output is on. */
  advance(seconds: number): void {
    if (seconds <= 0) return;
    if (this.output) this.cell.stress(this.level, seconds, this.compliance);
    this.clock += seconds;
    this.pendingSeconds += seconds;
  }

  setOutput(on: boolean): void {
    this.output = on;
    if (!on) this.lastTrip = false;
  }

  setLevel(v: number): void {
    if (!Number.isFinite(v) || Math.abs(v) > MAX_SOURCE_VOLTAGE) throw SCPI_ERRORS.outOfRange();
    this.level = v;
  }

  /** One integration: the bias is applied for the integration time, then the cell is read. */
  integrationTime(): number {
    return this.nplc / this.lineFrequency;
  }

  measureNow(): Reading {
    this.advance(this.integrationTime());
    const m = this.output
      ? this.cell.measure(this.level, this.compliance)
      : { v: 0, i: 0, compliance: false };
    this.lastTrip = m.compliance;
    // Instrument overhead (A/D, autozero, formatting) — not a bias on the cell.
    this.clock += 1e-3;
    this.pendingSeconds += 1e-3;
    return { ...m, t: this.clock };
  }

  /** Source-delay-measure at a level (2400 style); with auto-clear the output is on only for this cycle. */
  sourceDelayMeasure(v: number): Reading {
    this.setLevel(v);
    if (this.autoClear) this.setOutput(true);
    if (!this.output) throw SCPI_ERRORS.settingsConflict();
    this.advance(this.sourceDelay);
    const reading = this.measureNow();
    if (this.autoClear) this.setOutput(false);
    return reading;
  }

  /** READ?: a fixed level or a list sweep, triggerCount points. */
  read(): Reading[] {
    if (!this.output && !this.autoClear) throw SCPI_ERRORS.settingsConflict();
    const readings: Reading[] = [];
    for (let k = 0; k < this.triggerCount; k++) {
      const v =
        this.sourceMode === 'LIST'
          ? this.listVoltages[k % Math.max(1, this.listVoltages.length)]
          : this.level;
      if (v === undefined) throw SCPI_ERRORS.settingsConflict();
      readings.push(this.sourceDelayMeasure(v));
    }
    this.fetched = readings;
    return readings;
  }

  /** B2900 triggered action: in pulse shape, a pulse from the base level to the trigger level, measured at its top. */
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
        this.advance(this.pulseDelay);
        this.level = peak;
        // The measurement sits at the end of the pulse top; the rest of the width is bias only.
        const integration = Math.min(this.integrationTime(), this.pulseWidth);
        this.advance(Math.max(0, this.pulseWidth - integration));
        const m = this.cell.measure(this.level, this.compliance);
        this.advance(integration);
        this.lastTrip = m.compliance;
        readings.push({ ...m, t: this.clock });
        this.level = base;
      } else {
        this.level = peak;
        readings.push(this.measureNow());
      }
    }
    this.fetched = readings;
    return readings;
  }
}
