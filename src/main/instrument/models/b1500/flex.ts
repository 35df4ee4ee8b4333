/**
 * The virtual SMU's Keysight B1500A dialect: FLEX, the mainframe's own command set, as strict as
 * we know the instrument to be (docs/bench-setup.md lists what the manual pages we hold confirm).
 *
 * The mainframe holds a B1517A HRSMU in slot 1 (wired to the die), a B1511B MPSMU in slot 2 (its
 * terminals open) and a B1530A WGFMU in slot 3, so a client can be tested against a module it must
 * refuse. Commands are `NAME p1,p2…`, several per line separated by ';'. A command that fails puts
 * its error in the queue (ERRX? reads it as code,"message"), answers nothing, and ends the line.
 *
 * Data come back in FMT 1 (or 11): status letter, channel letter (A = slot 1), data type (I or V)
 * and a fixed-width number ±ddd.dddE±dd, items separated by ','. Status N normal, C this channel
 * in compliance, V over range (the value is then 199.999E+99).
 *
 * A pulsed spot measurement (MM 3, the PT and PV settings, then XE) holds the base for the hold
 * time (and the rest of the period since the last pulse), steps to the pulse level for the width,
 * reads over the pulsed-measurement ADC's time at the end of the top, and returns to the base.
 */
import type { CommandInterpreter } from '../model';
import { B1500_FLEX, b1500Idn } from './facts';
import type { Die } from '../../../virtual-smu/die';
import { VirtualInstrument } from '../../../virtual-smu/instrument';
import { ScpiError } from '../../../virtual-smu/scpi-parser';

/** Error numbers of the B1500 (stand-ins where the programming guide's table was not at hand). */
const FLEX_ERRORS = {
  undefinedCommand: () => new ScpiError(100, 'Undefined GPIB command.'),
  parameter: (detail: string) => new ScpiError(120, `Incorrect parameter value. ${detail}`),
  parameterCount: () => new ScpiError(121, 'Incorrect number of parameters.'),
  notEnabled: (slot: number) => new ScpiError(150, `Channel ${slot} is not enabled (CN).`),
  noModule: (slot: number) => new ScpiError(151, `No SMU module in slot ${slot}.`),
  conflict: (detail: string) => new ScpiError(160, `Settings conflict. ${detail}`),
  notSimulated: (what: string) => new ScpiError(170, `${what} is not simulated by the virtual B1500A.`),
} as const;

/** DV/PV output ranges (index → the range's ± limit in V); 0 is auto (the module's maximum). */
const V_OUTPUT_RANGES: ReadonlyMap<number, number> = new Map([
  [0, 100],
  [2, 0.2],
  [5, 0.5],
  [20, 2],
  [50, 5],
  [200, 20],
  [400, 40],
  [1000, 100],
]);

/** RI current ranges by index: 9 is 10 pA (HRSMU; 8, 1 pA, with the ASU) … 19 is 100 mA; the MPSMU starts at 11, 1 nA. */
const currentRangeOf = (index: number) => 10 ** (index - 20);

interface Module {
  model: string;
  /** An SMU: its instrument state; otherwise none (FLEX SMU commands refuse the slot). */
  smu?: VirtualInstrument;
  minRangeIndex: number;
  enabled: boolean;
  /** A/D converter of this channel: 0 high-speed, 1 high-resolution, 2 pulsed-measurement. */
  adc: 0 | 1 | 2;
  measureMode: number;
}

interface AdcSetting {
  mode: number;
  n: number;
}

const DEFAULT_ADC: Record<0 | 1 | 2, AdcSetting> = {
  0: { mode: 0, n: 1 },
  1: { mode: 0, n: 1 },
  2: { mode: 3, n: 2e-6 },
};

export function formatFlexNumber(x: number, decimals = 3): string {
  if (x === 0) return `+${'0'.repeat(3)}.${'0'.repeat(decimals)}E+00`;
  let exponent = Math.floor(Math.log10(Math.abs(x))) - 2;
  let mantissa = Number((Math.abs(x) / 10 ** exponent).toFixed(decimals));
  if (mantissa >= 1000) {
    exponent += 1;
    mantissa = Number((Math.abs(x) / 10 ** exponent).toFixed(decimals));
  }
  const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${x < 0 ? '-' : '+'}${mantissa.toFixed(decimals).padStart(4 + decimals, '0')}E${e}`;
}

export class FlexInterpreter implements CommandInterpreter {
  readonly modules: Module[];
  private adc: Record<0 | 1 | 2, AdcSetting> = { ...DEFAULT_ADC };
  private format = 1;
  private autoZero = true;
  private measurement: { mode: number; slots: number[] } | undefined;
  private pulseTiming = { hold: 0, width: 1e-3, period: 0 };
  private pulseSource:
    { slot: number; rangeLimit: number; base: number; top: number; compliance: number } | undefined;
  private lastPulseStart = -Infinity;

  constructor(
    /** The SMU wired to the die (slot 1). */
    readonly instrument: VirtualInstrument,
    die: Die,
    private readonly serial: string,
  ) {
    const open = new VirtualInstrument(instrument.traits, die, serial);
    open.cellConnected = false; // nothing on slot 2's terminals
    this.modules = [
      this.module('B1517A', instrument, 9), // 10 pA; 1 pA needs the ASU
      this.module('B1511B', open, 11),
      { model: 'B1530A', minRangeIndex: 0, enabled: false, adc: 0, measureMode: 0 },
    ];
    this.reset();
  }

  private module(model: string, smu: VirtualInstrument, minRangeIndex: number): Module {
    return { model, smu, minRangeIndex, enabled: false, adc: 0, measureMode: 0 };
  }

  private reset(): void {
    for (const m of this.modules) {
      m.smu?.reset();
      if (m.smu) m.smu.compliance = 100e-6;
      m.enabled = false;
      m.adc = 0;
      m.measureMode = 0;
    }
    this.adc = { 0: { ...DEFAULT_ADC[0] }, 1: { ...DEFAULT_ADC[1] }, 2: { ...DEFAULT_ADC[2] } };
    this.format = 1;
    this.autoZero = true;
    this.measurement = undefined;
    this.pulseTiming = { hold: 0, width: 1e-3, period: 0 };
    this.pulseSource = undefined;
    this.applyAdc();
  }

  /** One program message; returns its replies. The first failing command ends the message. */
  /** Left to the simulator: the simulator's `:SIM` commands. */
  leavesToSimulator(line: string): boolean {
    return /^\s*:SIM/i.test(line);
  }

  execute(line: string): string[] {
    const replies: string[] = [];
    for (const command of line.split(';')) {
      if (command.trim() === '') continue;
      try {
        const reply = this.command(command.trim());
        if (reply !== undefined) replies.push(reply);
      } catch (error) {
        this.instrument.pushError(
          error instanceof ScpiError
            ? error
            : new ScpiError(120, `Incorrect parameter value. ${(error as Error).message}`),
        );
        break;
      }
    }
    return replies;
  }

  private command(text: string): string | undefined {
    const match = /^(\*?[A-Za-z]+\??)\s*(.*)$/.exec(text);
    if (!match) throw FLEX_ERRORS.undefinedCommand();
    const name = match[1]!.toUpperCase();
    const args = match[2]!.trim() === '' ? [] : match[2]!.split(',').map((a) => a.trim());
    const handler = this.handlers[name];
    if (!handler) throw FLEX_ERRORS.undefinedCommand();
    return handler(args);
  }

  private readonly handlers: Record<string, (args: string[]) => string | undefined> = {
    '*IDN?': (a) => (count(a, 0, 0), b1500Idn(this.serial)),
    '*RST': (a) => (count(a, 0, 0), this.reset(), undefined),
    '*CLS': (a) => {
      count(a, 0, 0);
      while (this.instrument.errorCount() > 0) this.instrument.popErrorEntry();
      return undefined;
    },
    '*OPC?': (a) => (count(a, 0, 0), '1'),
    '*LRN?': (a) => this.learn(int(a[0], 'type', 0, 1100)),
    'UNT?': (a) => {
      count(a, 0, 1);
      if (a.length) int(a[0], 'mode', 0, 1);
      return Array.from({ length: 10 }, (_, k) =>
        this.modules[k] ? `${this.modules[k].model},0` : '0,0',
      ).join(';');
    },
    'ERRX?': (a) => {
      count(a, 0, 1);
      const error = this.instrument.popErrorEntry();
      return error ? `${error.code},"${error.message}"` : '+0,"No Error."';
    },
    'ERR?': (a) => {
      count(a, 0, 1);
      return Array.from({ length: 4 }, () => String(this.instrument.popErrorEntry()?.code ?? 0)).join(',');
    },
    CN: (a) => (this.slots(a).forEach((m) => this.enable(m, true)), undefined),
    CL: (a) => (this.slots(a).forEach((m) => this.enable(m, false)), undefined),
    DZ: (a) => {
      for (const m of this.slots(a)) if (m.enabled) m.smu!.setLevel(0);
      return undefined;
    },
    DV: (a) => {
      count(a, 3, 6);
      const m = this.smu(a[0]);
      if (!m.enabled) throw FLEX_ERRORS.notEnabled(this.slotOf(m));
      const limit = outputRange(a[1]);
      const v = num(a[2], 'voltage', -limit, limit);
      if (a[3] !== undefined) m.smu!.compliance = Math.abs(num(a[3], 'compliance', -0.1, 0.1));
      if (m.smu!.compliance < 1e-12) throw FLEX_ERRORS.parameter('compliance below 1 pA');
      if (a[4] !== undefined) int(a[4], 'polarity', 0, 1);
      if (a[5] !== undefined) this.rangeIndex(m, a[5]);
      m.smu!.setLevel(v);
      return undefined;
    },
    RI: (a) => {
      count(a, 2, 2);
      const m = this.smu(a[0]);
      const index = this.rangeIndex(m, a[1]);
      // Negative: fixed; positive: limited auto (this range and up); 0: auto.
      m.smu!.currentRange = index < 0 ? currentRangeOf(-index) : null;
      return undefined;
    },
    TI: (a) => {
      count(a, 1, 2);
      const m = this.measurable(a[0]);
      if (a[1] !== undefined) this.rangeIndex(m, a[1]);
      return this.item(m, 'I', m.smu!.measureNow());
    },
    TV: (a) => {
      count(a, 1, 2);
      const m = this.measurable(a[0]);
      return this.item(m, 'V', m.smu!.measureNow());
    },
    TIV: (a) => {
      if (a.length !== 1 && a.length !== 3) throw FLEX_ERRORS.parameterCount();
      const m = this.measurable(a[0]);
      if (a[1] !== undefined) this.rangeIndex(m, a[1]);
      const r = m.smu!.measureNow();
      return `${this.item(m, 'I', r)},${this.item(m, 'V', r)}`;
    },
    AAD: (a) => {
      count(a, 1, 2);
      const m = this.smu(a[0]);
      m.adc = a[1] === undefined ? 0 : (int(a[1], 'ADC type', 0, 2) as 0 | 1 | 2);
      this.applyAdc();
      return undefined;
    },
    AIT: (a) => {
      count(a, 2, 3);
      const type = int(a[0], 'ADC type', 0, 2) as 0 | 1 | 2;
      const mode = int(a[1], 'ADC mode', 0, 3);
      if (type === 1 && mode === 3)
        throw FLEX_ERRORS.parameter('time mode is not available for the high-resolution ADC');
      if (type === 2 && mode !== 3)
        throw FLEX_ERRORS.notSimulated('The pulsed-measurement ADC outside time mode');
      let n = DEFAULT_ADC[type].n;
      if (a[2] !== undefined) {
        if (mode === 3) {
          n = num(a[2], 'measurement time', B1500_FLEX.minAdcTimeS, B1500_FLEX.maxAdcTimeS);
          n = Math.round(n / 2e-6) * 2e-6; // 2 µs resolution
        } else n = int(a[2], 'coefficient', 1, mode === 2 ? B1500_FLEX.maxPlc : 1023);
      }
      this.adc[type] = { mode, n };
      this.applyAdc();
      return undefined;
    },
    AZ: (a) => (
      count(a, 1, 1),
      (this.autoZero = int(a[0], 'auto zero', 0, 1) === 1),
      this.applyAdc(),
      undefined
    ),
    AV: (a) => (count(a, 1, 2), int(a[0], 'samples', -1023, 1023), undefined),
    CM: (a) => (count(a, 1, 1), int(a[0], 'auto calibration', 0, 1), undefined),
    FL: (a) => {
      count(a, 1, 11);
      int(a[0], 'filter', 0, 1);
      this.slots(a.slice(1));
      return undefined;
    },
    SSR: (a) => (count(a, 2, 2), this.smu(a[0]), int(a[1], 'series resistor', 0, 1), undefined),
    CMM: (a) => {
      count(a, 2, 2);
      const m = this.smu(a[0]);
      m.measureMode = int(a[1], 'measurement mode', 0, 4);
      return undefined;
    },
    TSC: (a) => (count(a, 1, 1), int(a[0], 'time stamp', 0, 1), undefined),
    BC: (a) => (count(a, 0, 0), undefined),
    FMT: (a) => {
      count(a, 1, 2);
      const format = int(a[0], 'format', 1, 25);
      if (format !== 1 && format !== 11) throw FLEX_ERRORS.notSimulated(`Data format FMT ${format}`);
      if (a[1] !== undefined && int(a[1], 'output mode', 0, 10) !== 0)
        throw FLEX_ERRORS.notSimulated('Source data in the output');
      this.format = format;
      return undefined;
    },
    MM: (a) => {
      if (a.length < 1) throw FLEX_ERRORS.parameterCount();
      const mode = int(a[0], 'measurement mode', 1, 28);
      if (mode !== 1 && mode !== 3) throw FLEX_ERRORS.notSimulated(`Measurement mode ${mode}`);
      const modules = a.slice(1).map((s) => this.smu(s));
      if (modules.length === 0 || (mode === 3 && modules.length !== 1) || modules.length > 10)
        throw FLEX_ERRORS.parameterCount();
      this.measurement = { mode, slots: modules.map((m) => this.slotOf(m)) };
      return undefined;
    },
    PT: (a) => {
      count(a, 2, 4);
      const hold = num(a[0], 'hold time', 0, B1500_FLEX.maxHoldS);
      const width = num(a[1], 'pulse width', B1500_FLEX.minWidthS, B1500_FLEX.maxWidthS);
      const period = a[2] === undefined ? 0 : num(a[2], 'pulse period', 0, B1500_FLEX.maxPeriodS);
      const least = width + (width <= 0.1 ? 2e-3 : 10e-3);
      if (period !== 0 && (period < B1500_FLEX.minPeriodS || period < least - 1e-12))
        throw FLEX_ERRORS.parameter(`pulse period ${period} s is shorter than ${least.toFixed(4)} s`);
      if (a[3] !== undefined) num(a[3], 'trigger delay', 0, width);
      const resolved = Math.round(width / B1500_FLEX.widthResolutionS) * B1500_FLEX.widthResolutionS;
      this.pulseTiming = { hold, width: Number(resolved.toFixed(4)), period };
      return undefined;
    },
    PV: (a) => {
      count(a, 4, 5);
      const m = this.smu(a[0]);
      const rangeLimit = outputRange(a[1]);
      const base = num(a[2], 'base', -rangeLimit, rangeLimit);
      const top = num(a[3], 'pulse', -rangeLimit, rangeLimit);
      const compliance =
        a[4] === undefined ? m.smu!.compliance : Math.abs(num(a[4], 'compliance', -0.1, 0.1));
      this.pulseSource = { slot: this.slotOf(m), rangeLimit, base, top, compliance };
      return undefined;
    },
    XE: (a) => (count(a, 0, 0), this.trigger()),
  };

  private slotOf(m: Module): number {
    return this.modules.indexOf(m) + 1;
  }

  /** The channels a CN/CL/DZ/FL names; none means every SMU. */
  private slots(args: string[]): Module[] {
    if (args.length === 0) return this.modules.filter((m) => m.smu);
    return args.map((s) => this.smu(s));
  }

  private smu(text: string | undefined): Module {
    const slot = int(text, 'channel', 1, 10);
    const m = this.modules[slot - 1];
    if (!m?.smu) throw FLEX_ERRORS.noModule(slot);
    return m;
  }

  private measurable(text: string | undefined): Module {
    const m = this.smu(text);
    if (!m.enabled) throw FLEX_ERRORS.notEnabled(this.slotOf(m));
    return m;
  }

  private rangeIndex(m: Module, text: string | undefined): number {
    const index = int(text, 'current range', -20, 20);
    if (index !== 0 && (Math.abs(index) < m.minRangeIndex || Math.abs(index) > 19))
      throw FLEX_ERRORS.parameter(`current range ${index} is not available on the ${m.model}`);
    return index;
  }

  private enable(m: Module, on: boolean): void {
    const smu = m.smu!;
    // CN connects the output at 0 V; CL returns it to 0 V and opens the relay.
    smu.setLevel(0);
    smu.setOutput(on);
    m.enabled = on;
  }

  /** Each channel's DC integration time from its ADC's setting (the pulsed ADC is used by MM 3 only). */
  private applyAdc(): void {
    for (const m of this.modules) {
      if (!m.smu) continue;
      const f = m.smu.lineFrequency;
      const type = m.adc === 2 ? 0 : m.adc;
      const { mode, n } = this.adc[type];
      // PLC mode: N PLC (high-resolution) or N × 128 samples in a PLC (high-speed); time mode: t;
      // auto and manual: N × the ADC's basic sample (about 80 µs high-speed, 1 PLC high-resolution).
      const seconds = mode === 3 ? n : mode === 2 ? n / f : type === 1 ? n / f : n * 80e-6;
      m.smu.nplc = seconds * f;
      m.smu.autoZero = this.autoZero;
    }
  }

  private item(
    m: Module,
    type: 'I' | 'V',
    r: { i: number; v: number; compliance: boolean; overflow: boolean },
  ): string {
    const channel = 'ABCDEFGHIJ'[this.slotOf(m) - 1]!;
    const status = r.overflow && type === 'I' ? 'V' : r.compliance ? 'C' : 'N';
    const value = status === 'V' ? 199.999e99 : type === 'I' ? r.i : r.v;
    return `${status}${channel}${type}${formatFlexNumber(value, this.format === 11 ? 4 : 3)}`;
  }

  private learn(type: number): string {
    if (type === 0) {
      const on = this.modules.filter((m) => m.enabled).map((m) => this.slotOf(m));
      return on.length === 0 ? 'CL' : `CN${on.join(',')}`;
    }
    if (type === 31) {
      const mm = this.measurement ? `;MM${this.measurement.mode},${this.measurement.slots.join(',')}` : '';
      return `TM1;AV1,0;CM1;FMT${this.format},0${mm}`;
    }
    throw FLEX_ERRORS.notSimulated(`*LRN? ${type}`);
  }

  private trigger(): string {
    const plan = this.measurement;
    if (!plan) throw FLEX_ERRORS.conflict('no measurement mode (MM) set');
    const modules = plan.slots.map((slot) => this.modules[slot - 1]!);
    for (const m of modules) if (!m.enabled) throw FLEX_ERRORS.notEnabled(this.slotOf(m));
    if (plan.mode === 1) return modules.map((m) => this.item(m, 'I', m.smu!.measureNow())).join(',');
    const m = modules[0]!;
    const source = this.pulseSource;
    if (!source || source.slot !== this.slotOf(m))
      throw FLEX_ERRORS.conflict('no pulse source (PV) on the measured channel');
    return this.item(m, 'I', this.pulse(m.smu!, source));
  }

  private pulse(
    s: VirtualInstrument,
    source: { base: number; top: number; compliance: number },
  ): { i: number; v: number; compliance: boolean; overflow: boolean } {
    const { hold, width, period } = this.pulseTiming;
    const dcCompliance = s.compliance;
    const dcNplc = s.nplc;
    s.compliance = source.compliance;
    s.setLevel(source.base);
    // The hold time, or the rest of the period since the last pulse if that is longer.
    const effectivePeriod = period === 0 ? width + (width <= 0.1 ? 2e-3 : 10e-3) : period;
    s.advance(
      Math.max(hold, this.lastPulseStart + Math.max(effectivePeriod, B1500_FLEX.minPeriodS) - s.clock),
    );
    const start = s.clock;
    this.lastPulseStart = start;
    s.setLevel(source.top);
    // The pulsed-measurement ADC reads over its time at the end of the top.
    const aperture = Math.min(this.adc[2].n, width);
    s.nplc = aperture * s.lineFrequency;
    s.advance(width - aperture, source.top);
    const r = s.measureNow();
    s.lastPulseSeconds = s.clock - start;
    s.setLevel(source.base);
    s.compliance = dcCompliance;
    s.nplc = dcNplc;
    return r;
  }
}

function count(args: string[], min: number, max: number): void {
  if (args.length < min || args.length > max) throw FLEX_ERRORS.parameterCount();
}

function num(text: string | undefined, what: string, min: number, max: number): number {
  const value =
    text === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?$/i.test(text) ? NaN : Number(text);
  if (!Number.isFinite(value)) throw FLEX_ERRORS.parameter(`${what} is not a number`);
  if (value < min || value > max) throw FLEX_ERRORS.parameter(`${what} ${value} is outside ${min} to ${max}`);
  return value;
}

function int(text: string | undefined, what: string, min: number, max: number): number {
  const value = num(text, what, min, max);
  if (!Number.isInteger(value)) throw FLEX_ERRORS.parameter(`${what} must be an integer`);
  return value;
}

function outputRange(text: string | undefined): number {
  const limit = V_OUTPUT_RANGES.get(int(text, 'output range', 0, 1000));
  if (limit === undefined) throw FLEX_ERRORS.parameter('no such voltage output range');
  return limit;
}
