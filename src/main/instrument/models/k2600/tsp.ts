/**
 * The virtual SMU's Keithley 2600B dialect: TSP, a Lua subset, as strict as the instrument.
 *
 * Each line is a Lua chunk: assignments (`smua.source.levelv = 1.5`), calls
 * (`smua.trigger.initiate()`), `print(…)`, `printbuffer(…)`, and global variables. A chunk that
 * does not parse is error -285 "TSP Syntax error"; indexing or calling what does not exist is
 * -286 "TSP Runtime error"; a value outside an attribute's range is -222. A failing chunk sends no
 * reply, as on the instrument. `loadscript NAME` … `endscript` stores the lines in between as a
 * script that `NAME()` or `NAME.run()` runs. The IEEE-488.2 common commands the 2600B keeps in
 * TSP mode (*IDN?, *RST, *CLS, *OPC?, *WAI) are answered as such.
 *
 * Pulses run in the trigger model as the reference manual draws it for a pulse: the source action
 * applies the list level, the measure action reads after the measure delay, and the end-pulse
 * action (SOURCE_IDLE, its stimulus trigger timer 1, armed with the sweep) returns to the idle
 * level when the timer expires — or when the reading ends, if that is later. With the default
 * end-pulse action SOURCE_HOLD the level stays on: a driver that forgets it biases the cell.
 *
 * `sim.*` stands in for a probe station and exposes the truth, as `:SIM:*` does in SCPI.
 */
import type { Die } from '../../../virtual-smu/die';
import { VirtualInstrument, type Reading } from '../../../virtual-smu/instrument';
import { ScpiError, SCPI_ERRORS } from '../../../virtual-smu/scpi-parser';
import type { CommandInterpreter } from '../model';
import { K2636B_RANGES, k2600Idn } from './facts';

type Value = number | string | boolean | null | Value[] | { ref: string };

const syntaxError = (near: string) =>
  new ScpiError(-285, `TSP Syntax error at line 1: unexpected symbol near '${near}'`);
const runtimeError = (what: string) => new ScpiError(-286, `TSP Runtime error at line 1: ${what}`);

// ——— tokens and parsing ———

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'sym'; value: string };

const KEYWORDS = new Set(['true', 'false', 'nil', 'and', 'or', 'not', 'local']);

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let k = 0;
  while (k < line.length) {
    const ch = line[k]!;
    if (/\s/.test(ch)) {
      k++;
      continue;
    }
    if (line.startsWith('--', k)) break; // a comment to the end of the line
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(line.slice(k));
    if (number) {
      tokens.push({ kind: 'num', value: Number(number[0]) });
      k += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(k));
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      k += name[0].length;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const end = line.indexOf(ch, k + 1);
      if (end < 0) throw syntaxError(line.slice(k, k + 10));
      tokens.push({ kind: 'str', value: line.slice(k + 1, end) });
      k = end + 1;
      continue;
    }
    const symbol = ['==', '~=', '<=', '>=', '..'].find((s) => line.startsWith(s, k)) ?? ch;
    if (!'==~=<=>=...,;()[]{}=+-*/<>'.includes(symbol)) throw syntaxError(symbol);
    tokens.push({ kind: 'sym', value: symbol });
    k += symbol.length;
  }
  return tokens;
}

type Expr =
  | { kind: 'literal'; value: Value }
  | { kind: 'table'; items: Expr[] }
  | { kind: 'name'; name: string }
  | { kind: 'field'; target: Expr; key: Expr }
  | { kind: 'call'; target: Expr; args: Expr[] }
  | { kind: 'unary'; op: string; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr };

type Statement = { kind: 'assign'; target: Expr; value: Expr } | { kind: 'call'; call: Expr };

class Parser {
  private k = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.k];
  }
  private isSym(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'sym' && t.value === value;
  }
  private expectSym(value: string): void {
    if (!this.isSym(value)) throw syntaxError(this.near());
    this.k++;
  }
  private near(): string {
    const t = this.peek();
    return t ? String(t.value) : '<eof>';
  }

  chunk(): Statement[] {
    const statements: Statement[] = [];
    while (this.peek()) {
      if (this.isSym(';')) {
        this.k++;
        continue;
      }
      const t = this.peek()!;
      if (t.kind === 'name' && t.value === 'local') this.k++; // locals live as globals here
      const target = this.prefix();
      if (this.isSym('=')) {
        if (target.kind !== 'name' && target.kind !== 'field') throw syntaxError('=');
        this.k++;
        statements.push({ kind: 'assign', target, value: this.expression() });
      } else if (target.kind === 'call') statements.push({ kind: 'call', call: target });
      else throw syntaxError(this.near());
    }
    return statements;
  }

  private prefix(): Expr {
    const t = this.peek();
    let expr: Expr;
    if (t?.kind === 'name' && !KEYWORDS.has(t.value)) {
      this.k++;
      expr = { kind: 'name', name: t.value };
    } else if (this.isSym('(')) {
      this.k++;
      expr = this.expression();
      this.expectSym(')');
    } else throw syntaxError(this.near());
    for (;;) {
      if (this.isSym('.')) {
        this.k++;
        const name = this.peek();
        if (name?.kind !== 'name') throw syntaxError(this.near());
        this.k++;
        expr = { kind: 'field', target: expr, key: { kind: 'literal', value: name.value } };
      } else if (this.isSym('[')) {
        this.k++;
        const key = this.expression();
        this.expectSym(']');
        expr = { kind: 'field', target: expr, key };
      } else if (this.isSym('(')) {
        this.k++;
        const args: Expr[] = [];
        if (!this.isSym(')')) {
          args.push(this.expression());
          while (this.isSym(',')) {
            this.k++;
            args.push(this.expression());
          }
        }
        this.expectSym(')');
        expr = { kind: 'call', target: expr, args };
      } else return expr;
    }
  }

  private static readonly LEVELS: string[][] = [
    ['or'],
    ['and'],
    ['==', '~=', '<', '>', '<=', '>='],
    ['..'],
    ['+', '-'],
    ['*', '/'],
  ];

  expression(level = 0): Expr {
    if (level === Parser.LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    for (;;) {
      const t = this.peek();
      const op = t && (t.kind === 'sym' || t.kind === 'name') ? String(t.value) : undefined;
      if (!op || !Parser.LEVELS[level]!.includes(op)) return left;
      this.k++;
      left = { kind: 'binary', op, left, right: this.expression(level + 1) };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (t?.kind === 'sym' && t.value === '-') {
      this.k++;
      return { kind: 'unary', op: '-', operand: this.unary() };
    }
    if (t?.kind === 'name' && t.value === 'not') {
      this.k++;
      return { kind: 'unary', op: 'not', operand: this.unary() };
    }
    if (t?.kind === 'num' || t?.kind === 'str') {
      this.k++;
      return { kind: 'literal', value: t.value };
    }
    if (t?.kind === 'name' && (t.value === 'true' || t.value === 'false' || t.value === 'nil')) {
      this.k++;
      return { kind: 'literal', value: t.value === 'nil' ? null : t.value === 'true' };
    }
    if (this.isSym('{')) {
      this.k++;
      const items: Expr[] = [];
      while (!this.isSym('}')) {
        items.push(this.expression());
        if (this.isSym(',') || this.isSym(';')) this.k++;
        else if (!this.isSym('}')) throw syntaxError(this.near());
      }
      this.k++;
      return { kind: 'table', items };
    }
    return this.prefix();
  }
}

export function parseChunk(line: string): Statement[] {
  return new Parser(tokenize(line)).chunk();
}

// ——— the instrument's object model ———

/** 2600B constants (reference manual), as the instrument's Lua tables hold them. */
const CONSTANTS: Record<string, number> = {
  OUTPUT_OFF: 0,
  OUTPUT_ON: 1,
  OUTPUT_HIGH_Z: 2,
  OUTPUT_NORMAL: 0,
  OUTPUT_ZERO: 2,
  OUTPUT_DCAMPS: 0,
  OUTPUT_DCVOLTS: 1,
  SENSE_LOCAL: 0,
  SENSE_REMOTE: 1,
  SENSE_CALA: 3,
  AUTORANGE_OFF: 0,
  AUTORANGE_ON: 1,
  AUTORANGE_FOLLOW_LIMIT: 2,
  AUTOZERO_OFF: 0,
  AUTOZERO_ONCE: 1,
  AUTOZERO_AUTO: 2,
  DISABLE: 0,
  ENABLE: 1,
  SOURCE_IDLE: 0,
  SOURCE_HOLD: 1,
  LIMIT_AUTO: 0,
};
const EVENT_IDS = {
  'trigger.ARMED_EVENT_ID': 101,
  'trigger.SOURCE_COMPLETE_EVENT_ID': 102,
  'trigger.MEASURE_COMPLETE_EVENT_ID': 103,
  'trigger.PULSE_COMPLETE_EVENT_ID': 104,
  'trigger.SWEEP_COMPLETE_EVENT_ID': 105,
  'trigger.IDLE_EVENT_ID': 106,
};
const TIMER_EVENT_ID = (n: number) => 200 + n;

interface Buffer {
  readings: number[];
  sourcevalues: number[];
  timestamps: number[];
  statuses: number[];
  appendmode: number;
  collectsourcevalues: number;
  collecttimestamps: number;
}
const newBuffer = (): Buffer => ({
  readings: [],
  sourcevalues: [],
  timestamps: [],
  statuses: [],
  appendmode: 0,
  collectsourcevalues: 0,
  collecttimestamps: 0,
});

interface Timer {
  delay: number;
  count: number;
  passthrough: boolean;
  stimulus: number;
}

/** The ranges the simulator keeps as settings only (measure.rangei drives the physics, apart). */
const RANGED = {
  'source.rangev': K2636B_RANGES.volts,
  'measure.rangev': K2636B_RANGES.volts,
  'source.rangei': K2636B_RANGES.sourceAmps,
} as const;
type RangedAttribute = keyof typeof RANGED;

/** One channel's trigger model and buffers, beside its physics (a VirtualInstrument). */
interface Channel {
  smu: VirtualInstrument;
  sourceFunc: number;
  offmode: number;
  /** The fixed-range settings and their autorange flags, by attribute (`source.rangev`, …). */
  ranges: Record<RangedAttribute, { range: number; autorange: number }>;
  limitv: number;
  autorangei: number;
  measureDelay: number;
  buffers: { nvbuffer1: Buffer; nvbuffer2: Buffer };
  trigger: {
    count: number;
    armCount: number;
    sourceAction: number;
    listv: number[];
    sourceLimiti: number;
    measureAction: number;
    measureBuffer: 'nvbuffer1' | 'nvbuffer2' | null;
    measureStimulus: number;
    endpulseAction: number;
    endpulseStimulus: number;
  };
}

function newChannel(smu: VirtualInstrument): Channel {
  return {
    smu,
    sourceFunc: 1,
    offmode: 0,
    ranges: {
      'source.rangev': { range: 200, autorange: 1 },
      'measure.rangev': { range: 200, autorange: 1 },
      'source.rangei': { range: 100e-9, autorange: 1 },
    },
    limitv: K2636B_RANGES.limitv.reset,
    autorangei: 1,
    measureDelay: 0,
    buffers: { nvbuffer1: newBuffer(), nvbuffer2: newBuffer() },
    trigger: {
      count: 1,
      armCount: 1,
      sourceAction: 0,
      listv: [],
      sourceLimiti: 0,
      measureAction: 0,
      measureBuffer: null,
      measureStimulus: 0,
      endpulseAction: 1,
      endpulseStimulus: 0,
    },
  };
}

const num = (v: Value, what: string): number => {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw runtimeError(`bad argument (number expected) to ${what}`);
  return v;
};
const within = (v: Value, what: string, min: number, max: number): number => {
  const x = num(v, what);
  if (x < min || x > max) throw SCPI_ERRORS.outOfRange();
  return x;
};
/** Setting a range to a value selects the lowest range that holds it (the manual's rule). */
const rangeFor = (v: Value, what: string, ranges: readonly number[]): number => {
  const x = Math.abs(num(v, what));
  const range = ranges.find((r) => x <= r * 1.01);
  if (range === undefined) throw SCPI_ERRORS.outOfRange();
  return range;
};
const oneOf = (v: Value, what: string, allowed: number[]): number => {
  const x = num(v, what);
  if (!allowed.includes(x)) throw SCPI_ERRORS.illegalValue();
  return x;
};

/** A number as the 2600B prints it (format.asciiprecision 6): 1.50000e+00. */
export function tspNumber(x: number): string {
  const [mantissa, exponent] = x.toExponential(5).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function show(v: Value): string {
  if (v === null) return 'nil';
  if (typeof v === 'number') return tspNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `table: 0x${(v.length + 0x1000).toString(16)}`;
  return `table: ${v.ref}`;
}

interface Property {
  get?: (index: number[]) => Value;
  set?: (value: Value, index: number[]) => void;
  call?: (args: Value[], index: number[]) => Value[];
}

/** Runs 2600B TSP chunks against one or two channels of virtual physics. */
export class TspInterpreter implements CommandInterpreter {
  readonly channels: { smua: Channel; smub: Channel };
  readonly timers: Timer[] = Array.from({ length: 9 }, () => ({
    delay: 10e-6,
    count: 1,
    passthrough: false,
    stimulus: 0,
  }));
  readonly globals = new Map<string, Value>();
  readonly scripts = new Map<string, string[]>();
  /** A script being uploaded (loadscript … endscript). */
  private loading: { name: string; lines: string[] } | undefined;
  private readonly properties = new Map<string, Property>();
  /** Prefixes of every declared path: these are tables. */
  private readonly tables = new Set<string>();
  private output: string[] = [];

  constructor(
    readonly instrument: VirtualInstrument,
    die: Die,
    private readonly serial: string,
  ) {
    const smub = new VirtualInstrument(instrument.traits, die, serial);
    smub.cellConnected = false; // nothing on channel B's terminals
    this.channels = { smua: newChannel(instrument), smub: newChannel(smub) };
    this.declare();
  }

  private define(path: string, property: Property): void {
    this.properties.set(path, property);
    const parts = path.split('.');
    for (let k = 1; k < parts.length; k++) this.tables.add(parts.slice(0, k).join('.'));
  }

  private declare(): void {
    for (const name of ['smua', 'smub'] as const) {
      this.declareSource(name);
      this.declareMeasure(name);
      this.declareTrigger(name);
    }
    this.declareTimers();
    this.declareNode();
    this.declareSimulator();
  }

  /** A channel's constants, event IDs, reset and source.* (reference manual, smuX.source). */
  private declareSource(name: 'smua' | 'smub'): void {
    const d = (path: string, p: Property) => this.define(path, p);
    const ch = () => this.channels[name];
    const s = () => ch().smu;
    for (const [key, value] of Object.entries(CONSTANTS)) d(`${name}.${key}`, { get: () => value });
    for (const [key, value] of Object.entries(EVENT_IDS))
      d(`${name}.${key}`, { get: () => value + (name === 'smub' ? 100 : 0) });
    d(`${name}.reset`, { call: () => (this.resetChannel(name), []) });
    d(`${name}.abort`, { call: () => [] });
    d(`${name}.source.func`, {
      get: () => ch().sourceFunc,
      set: (v) => void (ch().sourceFunc = oneOf(v, 'source.func', [0, 1])),
    });
    d(`${name}.source.levelv`, {
      get: () => s().level,
      set: (v) => s().setLevel(within(v, 'source.levelv', -202, 202)),
    });
    d(`${name}.source.limiti`, {
      get: () => s().compliance,
      set: (v) => void (s().compliance = within(v, 'source.limiti', 10e-9, 1.515)),
    });
    // Setting a range selects the lowest range that holds the value and turns its autorange off.
    for (const [attribute, ranges] of Object.entries(RANGED) as Array<[RangedAttribute, readonly number[]]>) {
      const setting = () => ch().ranges[attribute];
      const autorange = attribute.replace('.range', '.autorange');
      d(`${name}.${attribute}`, {
        get: () => setting().range,
        set: (v) => void Object.assign(setting(), { range: rangeFor(v, attribute, ranges), autorange: 0 }),
      });
      d(`${name}.${autorange}`, {
        get: () => setting().autorange,
        set: (v) => void (setting().autorange = oneOf(v, autorange, [0, 1])),
      });
    }
    d(`${name}.source.limitv`, {
      get: () => ch().limitv,
      set: (v) =>
        void (ch().limitv = within(v, 'source.limitv', K2636B_RANGES.limitv.min, K2636B_RANGES.limitv.max)),
    });
    // The measurement event register (reference manual, status model): bit 0 VLMT, bit 1 ILMT,
    // set while the source is in its voltage or current limit. Sourcing volts, only ILMT can be.
    d(`status.measurement.instrument.${name}.condition`, {
      get: () => (s().output && s().lastTrip ? 2 : 0),
    });
    d(`${name}.source.output`, {
      get: () => (s().output ? 1 : 0),
      set: (v) => {
        const on = oneOf(v, 'source.output', [0, 1, 2]) === 1;
        if (on && ch().sourceFunc !== 1) throw SCPI_ERRORS.settingsConflict(); // the die is sourced in volts here
        s().setOutput(on);
      },
    });
    d(`${name}.source.offmode`, {
      get: () => ch().offmode,
      set: (v) => void (ch().offmode = oneOf(v, 'source.offmode', [0, 1, 2])),
    });
    d(`${name}.source.compliance`, { get: () => s().lastTrip });
  }

  /** A channel's measure.*, sense and reading buffers. */
  private declareMeasure(name: 'smua' | 'smub'): void {
    const d = (path: string, p: Property) => this.define(path, p);
    const ch = () => this.channels[name];
    const s = () => ch().smu;
    d(`${name}.measure.nplc`, {
      get: () => s().nplc,
      set: (v) => void (s().nplc = within(v, 'measure.nplc', 0.001, 25)),
    });
    d(`${name}.measure.autorangei`, {
      get: () => ch().autorangei,
      set: (v) => {
        ch().autorangei = oneOf(v, 'measure.autorangei', [0, 1, 2]);
        if (ch().autorangei !== 0) s().currentRange = null;
      },
    });
    d(`${name}.measure.rangei`, {
      get: () => s().currentRange ?? 1e-1,
      set: (v) => {
        s().currentRange = within(v, 'measure.rangei', 100e-12, 1.5);
        ch().autorangei = 0;
      },
    });
    d(`${name}.measure.autozero`, {
      get: () => (s().autoZero ? 2 : 0),
      set: (v) => void (s().autoZero = oneOf(v, 'measure.autozero', [0, 1, 2]) !== 0),
    });
    d(`${name}.measure.delay`, {
      get: () => ch().measureDelay,
      set: (v) => void (ch().measureDelay = within(v, 'measure.delay', 0, 10_000)),
    });
    d(`${name}.sense`, {
      get: () => (s().remoteSense ? 1 : 0),
      set: (v) => void (s().remoteSense = oneOf(v, 'sense', [0, 1, 3]) === 1),
    });
    const reading = (): Reading => {
      if (ch().sourceFunc !== 1) throw SCPI_ERRORS.settingsConflict();
      return s().measureNow();
    };
    const current = (r: Reading) => (r.overflow ? 9.9e37 : r.i);
    d(`${name}.measure.i`, { call: () => [current(reading())] });
    d(`${name}.measure.v`, { call: () => [reading().v] });
    d(`${name}.measure.r`, {
      call: () => {
        const r = reading();
        return [r.overflow || r.i === 0 ? 9.9e37 : r.v / r.i];
      },
    });
    d(`${name}.measure.iv`, {
      call: () => {
        const r = reading();
        return [current(r), r.v];
      },
    });
    for (const buffer of ['nvbuffer1', 'nvbuffer2'] as const) {
      const b = () => ch().buffers[buffer];
      d(`${name}.${buffer}.n`, { get: () => b().readings.length });
      d(`${name}.${buffer}.clear`, {
        call: () => (
          (ch().buffers[buffer] = {
            ...newBuffer(),
            appendmode: b().appendmode,
            collectsourcevalues: b().collectsourcevalues,
            collecttimestamps: b().collecttimestamps,
          }),
          []
        ),
      });
      for (const flag of ['appendmode', 'collectsourcevalues', 'collecttimestamps'] as const)
        d(`${name}.${buffer}.${flag}`, {
          get: () => b()[flag],
          set: (v) => void (b()[flag] = oneOf(v, `${buffer}.${flag}`, [0, 1])),
        });
      for (const column of ['readings', 'sourcevalues', 'timestamps', 'statuses'] as const)
        d(`${name}.${buffer}.${column}`, { get: () => ({ ref: `${name}.${buffer}.${column}` }) });
    }
  }

  /** A channel's trigger model (smuX.trigger.*) and buffer capacities. */
  private declareTrigger(name: 'smua' | 'smub'): void {
    const d = (path: string, p: Property) => this.define(path, p);
    const ch = () => this.channels[name];
    const t = () => ch().trigger;
    d(`${name}.trigger.count`, {
      get: () => t().count,
      set: (v) => void (t().count = within(v, 'trigger.count', 0, 100_000)),
    });
    d(`${name}.trigger.arm.count`, {
      get: () => t().armCount,
      set: (v) => void (t().armCount = within(v, 'trigger.arm.count', 0, 100_000)),
    });
    d(`${name}.trigger.source.action`, {
      get: () => t().sourceAction,
      set: (v) => void (t().sourceAction = oneOf(v, 'trigger.source.action', [0, 1])),
    });
    d(`${name}.trigger.source.limiti`, {
      get: () => t().sourceLimiti,
      set: (v) => void (t().sourceLimiti = within(v, 'trigger.source.limiti', 0, 1.515)),
    });
    d(`${name}.trigger.source.listv`, {
      call: (args) => {
        const list = args[0];
        if (!Array.isArray(list) || list.length === 0)
          throw runtimeError('bad argument #1 to listv (table expected)');
        t().listv = list.map((v) => within(v, 'trigger.source.listv', -202, 202));
        return [];
      },
    });
    d(`${name}.trigger.measure.action`, {
      get: () => t().measureAction,
      set: (v) => void (t().measureAction = oneOf(v, 'trigger.measure.action', [0, 1])),
    });
    d(`${name}.trigger.measure.stimulus`, {
      get: () => t().measureStimulus,
      set: (v) => void (t().measureStimulus = num(v, 'trigger.measure.stimulus')),
    });
    d(`${name}.trigger.measure.i`, {
      call: (args) => {
        const ref = args[0];
        const match =
          ref && typeof ref === 'object' && !Array.isArray(ref)
            ? new RegExp(`^${name}\\.(nvbuffer[12])$`).exec(ref.ref)
            : null;
        if (!match) throw runtimeError('bad argument #1 to i (reading buffer expected)');
        t().measureBuffer = match[1] as 'nvbuffer1' | 'nvbuffer2';
        return [];
      },
    });
    d(`${name}.trigger.endpulse.action`, {
      get: () => t().endpulseAction,
      set: (v) => void (t().endpulseAction = oneOf(v, 'trigger.endpulse.action', [0, 1])),
    });
    d(`${name}.trigger.endpulse.stimulus`, {
      get: () => t().endpulseStimulus,
      set: (v) => void (t().endpulseStimulus = num(v, 'trigger.endpulse.stimulus')),
    });
    d(`${name}.trigger.initiate`, { call: () => (this.initiate(name), []) });
    // Tables that exist on the instrument as objects (passed as arguments).
    d(`${name}.nvbuffer1.capacity`, { get: () => 100_000 });
    d(`${name}.nvbuffer2.capacity`, { get: () => 100_000 });
  }

  /** The trigger timers (trigger.timer[1…8]). */
  private declareTimers(): void {
    const d = (path: string, p: Property) => this.define(path, p);
    d('trigger.timer.#.delay', {
      get: ([n]) => this.timer(n).delay,
      set: (v, [n]) => void (this.timer(n).delay = within(v, 'timer.delay', 1e-6, 100_000)),
    });
    d('trigger.timer.#.count', {
      get: ([n]) => this.timer(n).count,
      set: (v, [n]) => void (this.timer(n).count = within(v, 'timer.count', 0, 1_048_575)),
    });
    d('trigger.timer.#.passthrough', {
      get: ([n]) => this.timer(n).passthrough,
      set: (v, [n]) => void (this.timer(n).passthrough = v === true || v === 1),
    });
    d('trigger.timer.#.stimulus', {
      get: ([n]) => this.timer(n).stimulus,
      set: (v, [n]) => void (this.timer(n).stimulus = num(v, 'timer.stimulus')),
    });
    d('trigger.timer.#.EVENT_ID', { get: ([n]) => (this.timer(n), TIMER_EVENT_ID(n!)) });
    d('trigger.timer.#.reset', {
      call: (_a, [n]) => (
        (this.timers[n! - 1] = { delay: 10e-6, count: 1, passthrough: false, stimulus: 0 }),
        []
      ),
    });
  }

  /** The node: line frequency, model, serial, error queue, reset, delay, print. */
  private declareNode(): void {
    const d = (path: string, p: Property) => this.define(path, p);
    d('localnode.linefreq', {
      get: () => this.instrument.lineFrequency,
      set: (v) => {
        const f = oneOf(v, 'linefreq', [50, 60]);
        this.instrument.lineFrequency = f;
        this.channels.smub.smu.lineFrequency = f;
      },
    });
    d('localnode.model', { get: () => '2636B' });
    d('localnode.serialno', { get: () => this.serial });
    d('errorqueue.count', { get: () => this.instrument.errorCount() });
    d('errorqueue.clear', { call: () => (this.clearErrors(), []) });
    d('errorqueue.next', {
      call: () => {
        const e = this.instrument.popErrorEntry();
        return e ? [e.code, e.message, 2, 0] : [0, 'Queue Is Empty', 0, 0];
      },
    });
    d('reset', { call: () => (this.resetChannel('smua'), this.resetChannel('smub'), []) });
    d('waitcomplete', { call: () => [] });
    d('delay', {
      call: (args) => (this.instrument.advance(within(args[0] ?? null, 'delay', 0, 100_000)), []),
    });
    d('print', { call: (args) => (this.output.push(args.map(show).join('\t')), []) });
    d('printbuffer', { call: (args) => (this.output.push(this.printbuffer(args)), []) });
  }

  /** Simulator-only: the probe station and the truth, as :SIM:* in SCPI. */
  private declareSimulator(): void {
    const d = (path: string, p: Property) => this.define(path, p);
    d('sim.cell', {
      get: () => this.instrument.cellIndex,
      set: (v) => {
        const index = within(v, 'sim.cell', 0, this.instrument.die.cells.length - 1);
        if (!Number.isInteger(index)) throw SCPI_ERRORS.illegalValue();
        if (this.instrument.output) throw SCPI_ERRORS.settingsConflict(); // never move probes under bias
        this.instrument.cellIndex = index;
      },
    });
    d('sim.die', { get: () => this.instrument.die.id });
    d('sim.state', { get: () => this.instrument.cell.state.toUpperCase() });
    d('sim.pulsewidth', { get: () => this.instrument.lastPulseSeconds });
    d('sim.wait', {
      call: (args) => (this.instrument.advance(within(args[0] ?? null, 'sim.wait', 0, 1e7)), []),
    });
    d('sim.endurance', { get: () => this.instrument.cell.params.enduranceCycles ?? 9.9e37 });
  }

  private timer(n: number | undefined): Timer {
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > 8)
      throw runtimeError(`attempt to index a nil value (timer ${String(n)})`);
    return this.timers[n - 1]!;
  }

  private clearErrors(): void {
    while (this.instrument.errorCount() > 0) this.instrument.popErrorEntry();
  }

  private resetChannel(name: 'smua' | 'smub'): void {
    const smu = this.channels[name].smu;
    smu.reset();
    smu.compliance = 0.1;
    smu.nplc = 1;
    smu.currentRange = null;
    smu.autoZero = true;
    smu.remoteSense = false;
    this.channels[name] = newChannel(smu);
  }

  /** The trigger model of one channel: count points, each a pulse when the end-pulse action is idle. */
  private initiate(name: 'smua' | 'smub'): void {
    const ch = this.channels[name];
    const s = ch.smu;
    const t = ch.trigger;
    if (!s.output) throw SCPI_ERRORS.settingsConflict(); // the trigger model sources only with the output on
    if (t.sourceAction === 1 && t.listv.length === 0) throw SCPI_ERRORS.settingsConflict();
    const idle = s.level;
    const timer = this.timers[0]!;
    const timed = t.endpulseStimulus === TIMER_EVENT_ID(1) && timer.stimulus !== 0;
    const limit = s.compliance;
    if (t.sourceLimiti > 0) s.compliance = t.sourceLimiti;
    try {
      for (let k = 0; k < t.count * t.armCount; k++) {
        const on = s.clock;
        if (t.sourceAction === 1) s.level = t.listv[k % t.listv.length]!;
        if (t.measureAction === 1) {
          if (!t.measureBuffer) throw SCPI_ERRORS.settingsConflict();
          s.advance(ch.measureDelay);
          const r = s.measureNow();
          const buffer = ch.buffers[t.measureBuffer];
          if (buffer.appendmode === 0 && k === 0) buffer.readings.length = 0;
          buffer.readings.push(r.overflow ? 9.9e37 : r.i);
          buffer.sourcevalues.push(s.level);
          buffer.timestamps.push(r.t);
          buffer.statuses.push(r.compliance ? 8 : 0);
        }
        if (t.endpulseAction === 0) {
          // The pulse ends at the timer (armed with the sweep), or when the reading ends if later.
          const elapsed = s.clock - on;
          if (timed && timer.delay > elapsed) s.advance(timer.delay - elapsed);
          s.lastPulseSeconds = s.clock - on;
          s.level = idle;
        }
      }
    } finally {
      s.compliance = limit;
    }
  }

  private printbuffer(args: Value[]): string {
    const [first, last, ...columns] = args;
    const from = num(first ?? null, 'printbuffer');
    const to = num(last ?? null, 'printbuffer');
    const arrays = columns.map((c) => {
      const match =
        c && typeof c === 'object' && !Array.isArray(c)
          ? /^(smu[ab])\.(nvbuffer[12])\.(readings|sourcevalues|timestamps|statuses)$/.exec(c.ref)
          : null;
      if (!match) throw runtimeError('bad argument to printbuffer (buffer expected)');
      const buffer =
        this.channels[match[1] as 'smua' | 'smub'].buffers[match[2] as 'nvbuffer1' | 'nvbuffer2'];
      const column = match[3] as 'readings' | 'sourcevalues' | 'timestamps' | 'statuses';
      if (column === 'sourcevalues' && buffer.collectsourcevalues === 0)
        throw runtimeError('source values are not being collected');
      return column === 'sourcevalues'
        ? buffer.sourcevalues
        : column === 'timestamps'
          ? buffer.timestamps
          : column === 'statuses'
            ? buffer.statuses
            : buffer.readings;
    });
    if (!arrays.length) throw runtimeError('bad argument #3 to printbuffer (buffer expected)');
    const n = arrays[0]!.length;
    if (n === 0 && from === 1 && to === 0) return '';
    if (from < 1 || to > n || from > to) throw SCPI_ERRORS.outOfRange();
    const values: string[] = [];
    for (let k = from - 1; k < to; k++) for (const a of arrays) values.push(tspNumber(a[k]!));
    return values.join(', ');
  }

  // ——— evaluation ———

  /** A path of names and indices ('smua.source.levelv', 'trigger.timer.#.delay' with [1]), or a value. */
  private place(expr: Expr): { path: string; index: number[] } | undefined {
    if (expr.kind === 'name') return { path: expr.name, index: [] };
    if (expr.kind !== 'field') return undefined;
    const base = this.place(expr.target);
    if (!base) return undefined;
    const key = this.evaluate(expr.key)[0] ?? null;
    if (typeof key === 'number') return { path: `${base.path}.#`, index: [...base.index, key] };
    if (typeof key === 'string') return { path: `${base.path}.${key}`, index: base.index };
    throw runtimeError('attempt to index with a nil key');
  }

  private lookup(path: string, index: number[]): Value {
    if (!path.includes('.') && this.globals.has(path)) return this.globals.get(path)!;
    const property = this.properties.get(path);
    if (property?.get) return property.get(index);
    if (property?.call || this.tables.has(path) || this.scripts.has(path)) return { ref: path };
    if (!path.includes('.')) return null; // an unset global is nil
    throw runtimeError(`attempt to index field '${path.split('.').at(-1)}' (a nil value)`);
  }

  evaluate(expr: Expr): Value[] {
    switch (expr.kind) {
      case 'literal':
        return [expr.value];
      case 'table':
        return [expr.items.map((item) => this.evaluate(item)[0] ?? null)];
      case 'name':
      case 'field': {
        const place = this.place(expr)!;
        return [this.lookup(place.path, place.index)];
      }
      case 'call': {
        const place = this.place(expr.target);
        const args = expr.args.flatMap((a, k) =>
          k === expr.args.length - 1 ? this.evaluate(a) : [this.evaluate(a)[0] ?? null],
        );
        if (!place) throw runtimeError('attempt to call a non-function value');
        const property = this.properties.get(place.path);
        if (property?.call) return property.call(args, place.index);
        const script = place.path.replace(/\.run$/, '');
        if (this.scripts.has(script)) {
          for (const line of this.scripts.get(script)!) this.runChunk(line);
          return [];
        }
        throw runtimeError(`attempt to call field '${place.path.split('.').at(-1)}' (a nil value)`);
      }
      case 'unary': {
        const v = this.evaluate(expr.operand)[0] ?? null;
        return expr.op === '-' ? [-num(v, 'unary minus')] : [v === null || v === false];
      }
      case 'binary': {
        const a = this.evaluate(expr.left)[0] ?? null;
        if (expr.op === 'and') return a === null || a === false ? [a] : this.evaluate(expr.right).slice(0, 1);
        if (expr.op === 'or') return a === null || a === false ? this.evaluate(expr.right).slice(0, 1) : [a];
        const b = this.evaluate(expr.right)[0] ?? null;
        switch (expr.op) {
          case '+':
            return [num(a, '+') + num(b, '+')];
          case '-':
            return [num(a, '-') - num(b, '-')];
          case '*':
            return [num(a, '*') * num(b, '*')];
          case '/':
            return [num(a, '/') / num(b, '/')];
          case '..':
            return [show(a) + show(b)];
          case '==':
            return [a === b];
          case '~=':
            return [a !== b];
          default: {
            const x = num(a, expr.op);
            const y = num(b, expr.op);
            return [expr.op === '<' ? x < y : expr.op === '>' ? x > y : expr.op === '<=' ? x <= y : x >= y];
          }
        }
      }
    }
  }

  private assign(target: Expr, value: Value): void {
    const place = this.place(target)!;
    if (target.kind === 'name') {
      if (this.properties.has(place.path) || this.tables.has(place.path))
        throw runtimeError(`attempt to assign to '${place.path}'`);
      this.globals.set(place.path, value);
      return;
    }
    const property = this.properties.get(place.path);
    if (!property?.set) {
      if (property?.get) throw runtimeError(`attribute '${place.path}' is read-only`);
      throw runtimeError(`attempt to index field '${place.path.split('.').at(-1)}' (a nil value)`);
    }
    property.set(value, place.index);
  }

  private runChunk(line: string): void {
    for (const statement of parseChunk(line)) {
      if (statement.kind === 'assign')
        this.assign(statement.target, this.evaluate(statement.value)[0] ?? null);
      else this.evaluate(statement.call);
    }
  }

  /** One program line; returns the lines it prints. A failing chunk prints nothing. */
  /** Left to the simulator's server: its fault and chunk controls (TSP has `sim.*` for the rest). */
  leavesToSimulator(line: string): boolean {
    return /^\s*:?SIM(ULATION)?:(FAULT|CHUNK)\b/i.test(line);
  }

  execute(line: string): string[] {
    const text = line.trim();
    if (this.loading) {
      if (/^endscript\b/.test(text)) {
        this.scripts.set(this.loading.name, this.loading.lines);
        this.loading = undefined;
      } else this.loading.lines.push(text);
      return [];
    }
    const load = /^loadscript\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text);
    if (load) {
      this.loading = { name: load[1]!, lines: [] };
      return [];
    }
    if (text.startsWith('*')) return this.common(text);
    this.output = [];
    try {
      this.runChunk(text);
      return this.output;
    } catch (error) {
      this.instrument.pushError(error instanceof ScpiError ? error : runtimeError((error as Error).message));
      return [];
    }
  }

  /** The IEEE-488.2 common commands the 2600B accepts in TSP. */
  private common(text: string): string[] {
    switch (text.toUpperCase()) {
      case '*IDN?':
        return [k2600Idn(this.serial)];
      case '*OPC?':
        return ['1'];
      case '*RST':
        this.resetChannel('smua');
        this.resetChannel('smub');
        return [];
      case '*CLS':
        this.clearErrors();
        return [];
      case '*WAI':
      case '*OPC':
        return [];
      default:
        this.instrument.pushError(syntaxError(text));
        return [];
    }
  }
}
