/**
 * SCPI dialects of the virtual SMU, each a table of the commands its real model accepts, in the
 * forms its manual gives — anything else is -113 "Undefined header", a query given parameters it
 * does not take is -108, and values out of the model's range are -222:
 * - Keithley 2400: 5-field :READ? whose VOLT is the programmed level unless voltage is measured
 *   too, status word bits 0/3/16, overflow as +9.9E37, source-delay-measure with auto-clear.
 * - Keithley 2450 (SCPI command set): ILIM, defbuffer reads with SOUR/READ/REL/SOURSTAT.
 * - Keysight B2900: channel as a header suffix, channel lists only on INIT/FETC/MEAS/IDLE,
 *   hardware pulses with an acquire delay, status element bits 1–2 and 13.
 * `:SIM:*` commands stand in for a probe station (select a cell) and expose the truth for tests.
 */
import { K2400_TIMING, K2450_TIMING } from '../../shared/instruments';
import type { VirtualInstrument, Reading, SmuModel } from './instrument';
import {
  CommandTable,
  formatScpiNumber,
  parseBoolean,
  parseNumber,
  SCPI_ERRORS,
  UNMEASURED,
  type CommandSpec,
} from './scpi-parser';

type Spec = CommandSpec<VirtualInstrument>;
type State = VirtualInstrument;

const IDN: Record<SmuModel, (serial: string) => string> = {
  '2400': (serial) => `KEITHLEY INSTRUMENTS INC.,MODEL 2400,${serial},C32   Oct  4 2010 14:20:11/A02  /S/K`,
  '2450': (serial) => `KEITHLEY INSTRUMENTS,MODEL 2450,${serial},1.7.12b`,
  b2900: (serial) => `Keysight Technologies,B2901B,${serial},5.0.2116.3970`,
  '2600': (serial) => `Keithley Instruments Inc., Model 2636B, ${serial}, 4.0.4`,
  b1500: (serial) => `Keysight Technologies,B1500A,${serial},A.06.03.2020.0605`,
  // KXCI has no *IDN?: this is only the label for logs; the interpreter answers ID (kxci.ts).
  '4200a': (serial) => `KEITHLEY INSTRUMENTS,4200A-SCS,${serial},V1.16`,
};

export const idnOf = (model: SmuModel, serial: string) => IDN[model](serial);

const OVERFLOW_READING = 9.9e37;
const K2400_STATUS = {
  overflow: 1 << 0,
  front: 1 << 2,
  compliance: 1 << 3,
  rangeCompliance: 1 << 16,
  remoteSense: 1 << 22,
};
const K2450_SOURCE_STATUS = { readback: 1 << 3, limited: 1 << 5, sense: 1 << 6, output: 1 << 7 };
const B2900_STATUS = { compliance: 1 << 1, rangeOverflow: 1 << 13 };

const unquote = (arg: string | undefined) => (arg ?? '').replace(/^["']|["']$/g, '').toUpperCase();
const onOff = (value: boolean) => (value ? '1' : '0');
const voltage = (arg: string | undefined) => parseNumber(arg, { min: -210, max: 210, def: 0 });
const single = (args: string[]) => {
  if (args.length > 1) throw SCPI_ERRORS.parameterNotAllowed();
  return args[0];
};

/** A boolean setting on the instrument state. */
function flag(
  pattern: string,
  key: { [K in keyof State]: State[K] extends boolean ? K : never }[keyof State],
): Spec {
  return {
    pattern,
    set: (s, args) => void ((s[key] as boolean) = parseBoolean(single(args))),
    query: (s) => onOff(s[key] as boolean),
  };
}

/** A numeric setting within the model's range. */
function number(
  pattern: string,
  key: { [K in keyof State]: State[K] extends number ? K : never }[keyof State],
  min: number,
  max: number,
  def: number,
  options: { integer?: boolean } = {},
): Spec {
  return {
    pattern,
    set: (s, args) => {
      const value = parseNumber(single(args), { min, max, def });
      if (options.integer && !Number.isInteger(value)) throw SCPI_ERRORS.illegalValue();
      (s[key] as number) = value;
    },
    query: (s) => (options.integer ? String(s[key]) : formatScpiNumber(s[key] as number)),
  };
}

/** A choice among tokens (long or short form accepted, the short form returned). */
/**
 * A B2900 trigger-model setting: `:TRIG[:ALL]:X` sets both the acquire and transient layers and
 * cannot be queried; `:TRIG:ACQ:X` and `:TRIG:TRAN:X` set and read one layer (one shared state here).
 */
function perLayer(root: string, leaf: string, spec: Spec): Spec[] {
  return [
    { pattern: `${root}[:ALL]:${leaf}`, set: spec.set! },
    { ...spec, pattern: `${root}:ACQuire:${leaf}` },
    { ...spec, pattern: `${root}:TRANsient:${leaf}` },
  ];
}

/** A trigger-model block number (1 to 2048). */
function blockNumber(text: string): number {
  const n = parseNumber(text, { min: 1, max: 2048, def: 1 });
  if (!Number.isInteger(n)) throw SCPI_ERRORS.illegalValue();
  return n;
}

function choice(
  pattern: string,
  tokens: Record<string, string>,
  get: (s: State) => string,
  set: (s: State, token: string) => void,
): Spec {
  return {
    pattern,
    set: (s, args) => {
      const given = unquote(single(args));
      const token = Object.entries(tokens).find(([short, long]) => given === short || given === long)?.[0];
      if (!token) throw SCPI_ERRORS.illegalValue();
      set(s, token);
    },
    query: (s) => get(s),
  };
}

function common(model: SmuModel): Spec[] {
  return [
    { pattern: '*IDN', query: (s) => IDN[model](s.serial) },
    { pattern: '*RST', set: (s) => s.reset() },
    {
      pattern: '*CLS',
      set: (s) => {
        s.esr = 0;
        clearErrors(s);
      },
    },
    { pattern: '*OPC', query: () => '1', set: () => {} },
    { pattern: '*WAI', set: () => {} },
    {
      pattern: '*ESR',
      query: (s) => {
        const value = s.esr;
        s.esr = 0;
        return String(value);
      },
    },
    { pattern: '*STB', query: (s) => String(s.errorCount() > 0 ? 4 : 0) },
    { pattern: ':SYSTem:ERRor[:NEXT]', query: (s) => s.popError() },
    { pattern: ':SYSTem:ERRor:COUNt', query: (s) => String(s.errorCount()) },
    {
      pattern: ':SYSTem:LFRequency',
      set: (s, args) => {
        const value = parseNumber(single(args));
        if (value !== 50 && value !== 60) throw SCPI_ERRORS.illegalValue();
        s.lineFrequency = value;
      },
      query: (s) => String(s.lineFrequency),
    },
    { pattern: ':SYSTem:BEEPer:STATe', set: () => {} },
    {
      pattern: ':OUTPut[:STATe]',
      set: (s, args) => s.commandOutput(parseBoolean(single(args))),
      query: (s) => onOff(s.output),
    },
    { pattern: ':STATus:QUEue:CLEar', set: (s) => clearErrors(s) },
    { pattern: ':STATus:PRESet', set: () => {} },
    ...simulation(),
  ];
}

/** Simulator-only commands: a probe station (select a cell), instrument time, and the truth for tests. */
function simulation(): Spec[] {
  return [
    // Simulator-only: stands in for moving the probes to another cell of the die.
    {
      pattern: ':SIMulation:CELL',
      set: (s, args) => {
        const index = parseNumber(single(args), { min: 0, max: s.die.cells.length - 1 });
        if (!Number.isInteger(index)) throw SCPI_ERRORS.illegalValue();
        if (s.output) throw SCPI_ERRORS.settingsConflict(); // never move probes under bias
        s.cellIndex = index;
      },
      query: (s) => String(s.cellIndex),
    },
    { pattern: ':SIMulation:CELL:COUNt', query: (s) => String(s.die.cells.length) },
    { pattern: ':SIMulation:DIE', query: (s) => `"${s.die.id}"` },
    { pattern: ':SIMulation:CELL:STATe', query: (s) => s.cell.state.toUpperCase() },
    { pattern: ':SIMulation:CELL:CONDuctance', query: (s) => formatScpiNumber(s.cell.g) },
    // The cell's drawn endurance (cycles to a 50 % window; 9.9E37 without wear) and its cycles so far.
    {
      pattern: ':SIMulation:CELL:ENDurance',
      query: (s) => formatScpiNumber(s.cell.params.enduranceCycles ?? 9.9e37),
    },
    { pattern: ':SIMulation:CELL:CYCLes', query: (s) => String(s.cell.cycles) },
    { pattern: ':SIMulation:CELL:DRIFt', query: (s) => formatScpiNumber(s.cell.params.driftNu ?? 0) },
    // Simulator-only: lets instrument time pass (paced by the time scale), for retention.
    {
      pattern: ':SIMulation:WAIT',
      set: (s, args) => s.advance(parseNumber(single(args), { min: 0, max: 1e7 })),
    },
    { pattern: ':SIMulation:PULSe:WIDTh', query: (s) => formatScpiNumber(s.lastPulseSeconds) },
    {
      pattern: ':SIMulation:CELL:PARameters',
      query: (s) => {
        const p = s.cell.params;
        return [p.ltp.gMin, p.ltp.gMax, p.ltp.a, p.ltp.pMax, p.ltd.a, p.ltd.pMax, p.c2cSigma, p.readNoise]
          .map((x) => formatScpiNumber(x))
          .join(',');
      },
    },
  ];
}

function clearErrors(s: State): void {
  while (s.errorCount() > 0) s.popError();
}

// ——— Keithley 2400 ———

function k2400Fields(s: State, r: Reading): string {
  const measuresVoltage = s.senseFunctions.has('VOLT');
  const measuresCurrent = s.senseFunctions.has('CURR');
  const status =
    (r.overflow ? K2400_STATUS.overflow : 0) |
    (r.compliance ? K2400_STATUS.compliance : 0) |
    (r.overflow && s.currentRange !== null && s.compliance > s.currentRange
      ? K2400_STATUS.rangeCompliance
      : 0) |
    (s.terminals === 'FRON' ? K2400_STATUS.front : 0) |
    (s.remoteSense ? K2400_STATUS.remoteSense : 0);
  const values: Record<string, number> = {
    // Without a voltage measurement the 2400 reports the programmed level here.
    VOLT: measuresVoltage ? r.v : r.vSource,
    CURR: !measuresCurrent ? UNMEASURED : r.overflow ? OVERFLOW_READING : r.i,
    RES: UNMEASURED,
    TIME: r.t,
    STAT: status,
  };
  return s.elements.map((e) => formatScpiNumber(values[e] ?? UNMEASURED)).join(',');
}

const K2400_FUNCTIONS: Record<string, 'VOLT' | 'CURR'> = {
  CURR: 'CURR',
  CURRENT: 'CURR',
  'CURR:DC': 'CURR',
  'CURRENT:DC': 'CURR',
  VOLT: 'VOLT',
  VOLTAGE: 'VOLT',
  'VOLT:DC': 'VOLT',
  'VOLTAGE:DC': 'VOLT',
};

function formatElements(pattern: string, allowed: string[]): Spec {
  return {
    pattern,
    set: (s, args) => {
      const elements = args.map(unquote).map((e) => e.slice(0, 4).replace('RESI', 'RES'));
      if (!elements.length || !elements.every((e) => allowed.includes(e))) throw SCPI_ERRORS.illegalValue();
      s.elements = elements;
    },
    query: (s) => s.elements.join(','),
  };
}

function k2400(): Spec[] {
  return [
    ...common('2400'),
    choice(
      '[:SOURce]:FUNCtion[:MODE]',
      { VOLT: 'VOLTAGE', CURR: 'CURRENT' },
      () => 'VOLT',
      (_s, token) => {
        if (token !== 'VOLT') throw SCPI_ERRORS.settingsConflict(); // the simulated cells are voltage-driven
      },
    ),
    {
      pattern: '[:SOURce]:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, args) => s.commandLevel(voltage(single(args))),
      query: (s) => formatScpiNumber(s.level),
    },
    { pattern: '[:SOURce]:VOLTage:RANGe[:UPPer]', set: (_s, args) => void voltage(single(args)) },
    {
      pattern: '[:SOURce]:VOLTage:RANGe:AUTO',
      set: (_s, args) => void parseBoolean(single(args)),
      query: () => '1',
    },
    choice(
      '[:SOURce]:VOLTage:MODE',
      { FIX: 'FIXED', LIST: 'LIST', SWE: 'SWEEP' },
      (s) => (s.sourceMode === 'FIX' ? 'FIX' : 'LIST'),
      (s, token) => {
        if (token === 'SWE') throw SCPI_ERRORS.settingsConflict();
        s.sourceMode = token as 'FIX' | 'LIST';
      },
    ),
    {
      pattern: '[:SOURce]:LIST:VOLTage',
      set: (s, args) => {
        if (args.length === 0) throw SCPI_ERRORS.missingParameter();
        if (args.length > 100) throw SCPI_ERRORS.outOfRange();
        s.listVoltages = args.map(voltage);
      },
      query: (s) => s.listVoltages.map((v) => formatScpiNumber(v)).join(','),
    },
    { pattern: '[:SOURce]:LIST:VOLTage:POINts', query: (s) => String(s.listVoltages.length) },
    number('[:SOURce]:DELay', 'sourceDelay', 0, K2400_TIMING.maxSourceDelayS, 0),
    { pattern: '[:SOURce]:DELay:AUTO', set: (_s, args) => void parseBoolean(single(args)), query: () => '0' },
    flag('[:SOURce]:CLEar:AUTO', 'autoClear'),
    { pattern: '[:SOURce]:CLEar[:IMMediate]', set: (s) => s.setOutput(false) },
    choice(
      ':OUTPut:SMODe',
      { HIMP: 'HIMPEDANCE', NORM: 'NORMAL', ZERO: 'ZERO', GUAR: 'GUARD' },
      (s) => s.outputOffMode,
      (s, token) => void (s.outputOffMode = token),
    ),
    {
      pattern: '[:SENSe]:FUNCtion[:ON]',
      set: (s, args) => {
        const functions = args.map((a) => K2400_FUNCTIONS[unquote(a)]);
        if (functions.length === 0) throw SCPI_ERRORS.missingParameter();
        if (functions.some((f) => f === undefined)) throw SCPI_ERRORS.illegalValue();
        if (!s.concurrent && functions.length > 1) throw SCPI_ERRORS.settingsConflict();
        s.senseFunctions = new Set(
          s.concurrent
            ? [...s.senseFunctions, ...(functions as Array<'VOLT' | 'CURR'>)]
            : (functions as Array<'VOLT' | 'CURR'>),
        );
      },
      query: (s) => [...s.senseFunctions].map((f) => `"${f}:DC"`).join(','),
    },
    {
      pattern: '[:SENSe]:FUNCtion:OFF',
      set: (s, args) => {
        for (const a of args) s.senseFunctions.delete(K2400_FUNCTIONS[unquote(a)] ?? 'CURR');
      },
    },
    {
      pattern: '[:SENSe]:FUNCtion:CONCurrent',
      set: (s, args) => {
        s.concurrent = parseBoolean(single(args));
        if (!s.concurrent && s.senseFunctions.size > 1) s.senseFunctions = new Set(['CURR']);
      },
      query: (s) => onOff(s.concurrent),
    },
    number('[:SENSe]:CURRent[:DC]:PROTection[:LEVel]', 'compliance', 1e-9, 1.05, 1.05e-4),
    { pattern: '[:SENSe]:CURRent[:DC]:PROTection:TRIPped', query: (s) => onOff(s.lastTrip) },
    {
      pattern: '[:SENSe]:CURRent[:DC]:RANGe[:UPPer]',
      set: (s, args) =>
        void (s.currentRange = parseNumber(single(args), { min: 0, max: 1.05, def: 1.05e-4 })),
      query: (s) => formatScpiNumber(s.currentRange ?? 1.05e-4),
    },
    {
      pattern: '[:SENSe]:CURRent[:DC]:RANGe:AUTO',
      set: (s, args) =>
        void (s.currentRange = parseBoolean(single(args)) ? null : (s.currentRange ?? 1.05e-4)),
      query: (s) => onOff(s.currentRange === null),
    },
    number('[:SENSe]:CURRent[:DC]:NPLCycles', 'nplc', 0.01, 10, 1),
    number('[:SENSe]:VOLTage[:DC]:NPLCycles', 'nplc', 0.01, 10, 1),
    flag('[:SENSe]:AVERage[:STATe]', 'filter'),
    {
      pattern: ':SYSTem:AZERo[:STATe]',
      set: (s, args) => {
        const token = unquote(single(args));
        s.autoZero = token === 'ONCE' ? false : parseBoolean(token);
      },
      query: (s) => onOff(s.autoZero),
    },
    flag(':SYSTem:RSENse', 'remoteSense'),
    choice(
      ':ROUTe:TERMinals',
      { FRON: 'FRONT', REAR: 'REAR' },
      (s) => s.terminals,
      (s, t) => void (s.terminals = t as 'FRON' | 'REAR'),
    ),
    formatElements(':FORMat:ELEMents[:SENSe]', ['VOLT', 'CURR', 'RES', 'TIME', 'STAT']),
    number(':TRIGger:COUNt', 'triggerCount', 1, 2500, 1, { integer: true }),
    number(':ARM:COUNt', 'armCount', 1, 2500, 1, { integer: true }),
    number(':TRIGger:DELay', 'triggerDelay', 0, 999.9999, 0),
    // Bit 11 of the measurement condition register: the interlock/output-enable line is asserted.
    {
      pattern: ':STATus:MEASurement:CONDition',
      query: (s) => String(s.interlockAsserted ? 1 << 11 : 0),
    },
    {
      pattern: ':READ',
      query: (s) =>
        s
          .read()
          .map((r) => k2400Fields(s, r))
          .join(','),
    },
    { pattern: ':INITiate[:IMMediate]', set: (s) => void s.read() },
    { pattern: ':FETCh', query: (s) => s.fetched.map((r) => k2400Fields(s, r)).join(',') },
    { pattern: ':ABORt', set: (s) => (s.autoClear ? s.setOutput(false) : undefined) },
  ];
}

// ——— Keithley 2450 ———

const K2450_ELEMENTS = new Set(['SOUR', 'READ', 'REL', 'SEC', 'STAT', 'SOURSTAT', 'DATE', 'TIME', 'UNIT']);

function k2450Reading(s: State, r: Reading, elements: string[]): string {
  return elements
    .map((e) => {
      switch (e) {
        case 'SOUR':
          return formatScpiNumber(s.readback ? r.v : r.vSource);
        case 'READ':
          return formatScpiNumber(r.overflow ? OVERFLOW_READING : r.i);
        case 'REL':
        case 'SEC':
          return formatScpiNumber(r.t);
        case 'SOURSTAT':
          return String(
            (s.readback ? K2450_SOURCE_STATUS.readback : 0) |
              (r.compliance ? K2450_SOURCE_STATUS.limited : 0) |
              (s.remoteSense ? K2450_SOURCE_STATUS.sense : 0) |
              (s.output ? K2450_SOURCE_STATUS.output : 0),
          );
        case 'STAT':
          return String(s.terminals === 'FRON' ? 8 : 0);
        default:
          return '0';
      }
    })
    .join(',');
}

function k2450(): Spec[] {
  return [
    ...common('2450'),
    { pattern: '*LANG', query: (s) => s.language },
    choice(
      ':SOURce:FUNCtion[:MODE]',
      { VOLT: 'VOLTAGE', CURR: 'CURRENT' },
      () => 'VOLT',
      (_s, token) => {
        if (token !== 'VOLT') throw SCPI_ERRORS.settingsConflict();
      },
    ),
    {
      pattern: ':SOURce:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, args) => s.commandLevel(voltage(single(args))),
      query: (s) => formatScpiNumber(s.level),
    },
    { pattern: ':SOURce:VOLTage:RANGe', set: (_s, args) => void voltage(single(args)) },
    {
      pattern: ':SOURce:VOLTage:RANGe:AUTO',
      set: (_s, args) => void parseBoolean(single(args)),
      query: () => '1',
    },
    number(':SOURce:VOLTage:ILIMit[:LEVel]', 'compliance', 1e-9, 1.05, 1.05e-4),
    { pattern: ':SOURce:VOLTage:ILIMit[:LEVel]:TRIPped', query: (s) => onOff(s.lastTrip) },
    number(':SOURce:VOLTage:DELay', 'sourceDelay', 0, K2450_TIMING.maxSourceDelayS, 0),
    {
      pattern: ':SOURce:VOLTage:DELay:AUTO',
      set: (_s, args) => void parseBoolean(single(args)),
      query: () => '0',
    },
    flag(':SOURce:VOLTage:READ:BACK', 'readback'),
    choice(
      ':OUTPut:SMODe',
      { NORM: 'NORMAL', HIMP: 'HIMPEDANCE', ZERO: 'ZERO', GUAR: 'GUARD' },
      (s) => s.outputOffMode,
      (s, token) => void (s.outputOffMode = token),
    ),
    {
      pattern: '[:SENSe]:FUNCtion[:ON]',
      set: (_s, args) => {
        if (!unquote(single(args)).startsWith('CURR')) throw SCPI_ERRORS.illegalValue();
      },
      query: () => '"CURR:DC"',
    },
    number('[:SENSe]:CURRent[:DC]:NPLCycles', 'nplc', 0.01, 10, 1),
    {
      pattern: '[:SENSe]:CURRent[:DC]:RANGe[:UPPer]',
      set: (s, args) => void (s.currentRange = parseNumber(single(args), { min: 10e-9, max: 1, def: 1e-4 })),
      query: (s) => formatScpiNumber(s.currentRange ?? 1e-4),
    },
    {
      pattern: '[:SENSe]:CURRent[:DC]:RANGe:AUTO',
      set: (s, args) => void (s.currentRange = parseBoolean(single(args)) ? null : (s.currentRange ?? 1e-4)),
      query: (s) => onOff(s.currentRange === null),
    },
    flag('[:SENSe]:CURRent[:DC]:AZERo[:STATe]', 'autoZero'),
    flag('[:SENSe]:CURRent[:DC]:AVERage[:STATe]', 'filter'),
    flag('[:SENSe]:CURRent[:DC]:RSENse', 'remoteSense'),
    choice(
      ':ROUTe:TERMinals',
      { FRON: 'FRONT', REAR: 'REAR' },
      (s) => s.terminals,
      (s, t) => void (s.terminals = t as 'FRON' | 'REAR'),
    ),
    {
      pattern: ':TRACe:CLEar',
      set: (s, args) => {
        if (args.length > 0 && !/^"?DEFBUFFER1"?$/i.test(args[0]!)) throw SCPI_ERRORS.illegalValue();
        s.buffer = [];
      },
    },
    // The trigger model (2461 manual p. 6-200 ff.): what a pulse needs of it, strictly.
    {
      pattern: ':TRIGger:LOAD',
      set: (s, args) => {
        if (args.length !== 1 || unquote(args[0]!).toUpperCase() !== 'EMPTY')
          throw SCPI_ERRORS.illegalValue();
        s.triggerBlocks = [];
      },
    },
    {
      pattern: ':TRIGger:BLOCk:SOURce:STATe',
      set: (s, args) => {
        if (args.length !== 2) throw SCPI_ERRORS.parameterNotAllowed();
        s.triggerBlocks[blockNumber(args[0]!)] = { kind: 'source', on: parseBoolean(args[1]!) };
      },
    },
    {
      pattern: ':TRIGger:BLOCk:DELay:CONStant',
      set: (s, args) => {
        if (args.length !== 2) throw SCPI_ERRORS.parameterNotAllowed();
        s.triggerBlocks[blockNumber(args[0]!)] = {
          kind: 'delay',
          seconds: parseNumber(args[1]!, { min: 0, max: 10_000, def: 0 }),
        };
      },
    },
    {
      pattern: ':TRIGger:BLOCk:MEASure',
      set: (s, args) => {
        if (args.length < 1 || args.length > 3) throw SCPI_ERRORS.parameterNotAllowed();
        if (args[1] !== undefined && !/^"?DEFBUFFER1"?$/i.test(args[1])) throw SCPI_ERRORS.illegalValue();
        const count = args[2] === undefined ? 1 : parseNumber(args[2], { min: 1, max: 1000, def: 1 });
        if (!Number.isInteger(count)) throw SCPI_ERRORS.illegalValue();
        s.triggerBlocks[blockNumber(args[0]!)] = { kind: 'measure', count };
      },
    },
    { pattern: ':INITiate[:IMMediate]', set: (s) => s.runTriggerModel() },
    {
      pattern: ':TRACe:DATA',
      queryArgs: true,
      query: (s, args) => {
        if (args.length < 3) throw SCPI_ERRORS.parameterNotAllowed();
        const [start, end] = [args[0]!, args[1]!].map((a) =>
          parseNumber(a, { min: 1, max: 100_000, def: 1 }),
        );
        if (!/^"?DEFBUFFER1"?$/i.test(args[2]!)) throw SCPI_ERRORS.illegalValue();
        const elements = args.length > 3 ? args.slice(3).map(unquote) : ['READ'];
        if (!elements.every((e) => K2450_ELEMENTS.has(e))) throw SCPI_ERRORS.illegalValue();
        if (!(start! <= end!) || end! > s.buffer.length) throw SCPI_ERRORS.settingsConflict();
        return s.buffer
          .slice(start! - 1, end!)
          .map((r) => k2450Reading(s, r, elements))
          .join(',');
      },
    },
    // 2450 manual p. 6-33: 1 = the interlock signal is asserted and all ranges are available.
    { pattern: ':OUTPut:INTerlock:TRIPped', query: (s) => (s.interlockAsserted ? '1' : '0') },
    {
      pattern: ':READ',
      queryArgs: true,
      query: (s, args) => {
        const elements = args.length > 1 ? args.slice(1).map(unquote) : ['READ'];
        if (args.length > 0 && !/^"?DEFBUFFER[12]"?$/i.test(args[0]!)) throw SCPI_ERRORS.illegalValue();
        if (!elements.every((e) => K2450_ELEMENTS.has(e))) throw SCPI_ERRORS.illegalValue();
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        s.advance(s.sourceDelay);
        return k2450Reading(s, s.measureNow(), elements);
      },
    },
    {
      pattern: ':MEASure[:CURRent][:DC]',
      query: (s) => {
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        const r = s.measureNow();
        return formatScpiNumber(r.overflow ? OVERFLOW_READING : r.i);
      },
    },
  ];
}

// ——— Keysight B2900 ———

function b2900Fields(s: State, r: Reading): string {
  const values: Record<string, number> = {
    VOLT: r.v,
    CURR: r.overflow ? OVERFLOW_READING : r.i,
    RES: UNMEASURED,
    TIME: r.t,
    STAT: (r.compliance ? B2900_STATUS.compliance : 0) | (r.overflow ? B2900_STATUS.rangeOverflow : 0),
    SOUR: r.vSource,
  };
  return s.elements.map((e) => formatScpiNumber(values[e] ?? UNMEASURED)).join(',');
}

/** The only channel list a single-channel B2901 accepts. */
function channel(args: string[]): void {
  if (args.length > 1) throw SCPI_ERRORS.parameterNotAllowed();
  const list = args[0];
  if (list !== undefined && list.replace(/\s/g, '') !== '(@1)') throw SCPI_ERRORS.illegalValue();
}

function b2900(): Spec[] {
  const withChannel = (spec: Spec): Spec => ({ ...spec, queryArgs: true });
  return [
    ...common('b2900'),
    choice(
      ':SOURce:FUNCtion:MODE',
      { VOLT: 'VOLTAGE', CURR: 'CURRENT' },
      () => 'VOLT',
      (_s, token) => {
        if (token !== 'VOLT') throw SCPI_ERRORS.settingsConflict();
      },
    ),
    choice(
      ':SOURce:FUNCtion:SHAPe',
      { DC: 'DC', PULS: 'PULSE' },
      (s) => s.pulseShape,
      (s, token) => void (s.pulseShape = token as 'DC' | 'PULS'),
    ),
    {
      pattern: ':SOURce:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, args) => s.commandLevel(voltage(single(args))),
      query: (s) => formatScpiNumber(s.level),
    },
    {
      pattern: ':SOURce:VOLTage[:LEVel]:TRIGgered[:AMPLitude]',
      set: (s, args) => {
        s.triggerLevel = voltage(single(args));
        s.peakLevel = Math.max(s.peakLevel, Math.abs(s.triggerLevel));
      },
      query: (s) => formatScpiNumber(s.triggerLevel),
    },
    {
      pattern: ':SOURce:VOLTage:RANGe:AUTO',
      set: (_s, args) => void parseBoolean(single(args)),
      query: () => '1',
    },
    number(':SOURce:PULSe:WIDTh', 'pulseWidth', 50e-6, 100_000, 1e-3),
    number(':SOURce:PULSe:DELay', 'pulseDelay', 0, 99_999.9, 0),
    {
      pattern: ':SENSe:FUNCtion[:ON]',
      set: (_s, args) => {
        if (!args.length || !args.every((a) => ['CURR', 'VOLT'].includes(unquote(a).slice(0, 4))))
          throw SCPI_ERRORS.illegalValue();
      },
    },
    number(':SENSe:CURRent[:DC]:PROTection[:LEVel]', 'compliance', 1e-9, 3.03, 1e-4),
    { pattern: ':SENSe:CURRent[:DC]:PROTection:TRIPped', query: (s) => onOff(s.lastTrip) },
    {
      pattern: ':SENSe:CURRent[:DC]:NPLCycles',
      set: (s, args) =>
        void (s.nplc = parseNumber(single(args), {
          min: 8e-6 * s.lineFrequency,
          max: 2 * s.lineFrequency,
          def: 1,
        })),
      query: (s) => formatScpiNumber(s.nplc),
    },
    {
      pattern: ':SENSe:CURRent[:DC]:APERture',
      set: (s, args) =>
        void (s.nplc = parseNumber(single(args), { min: 8e-6, max: 2, def: 0.02 }) * s.lineFrequency),
      query: (s) => formatScpiNumber(s.nplc / s.lineFrequency),
    },
    {
      pattern: ':SENSe:CURRent[:DC]:RANGe[:UPPer]',
      set: (s, args) =>
        void (s.currentRange = parseNumber(single(args), { min: 10e-9, max: 3.03, def: 1e-4 })),
      query: (s) => formatScpiNumber(s.currentRange ?? 1e-4),
    },
    {
      pattern: ':SENSe:CURRent[:DC]:RANGe:AUTO',
      set: (s, args) => void (s.currentRange = parseBoolean(single(args)) ? null : (s.currentRange ?? 1e-4)),
      query: (s) => onOff(s.currentRange === null),
    },
    flag(':SENSe:REMote', 'remoteSense'),
    formatElements(':FORMat:ELEMents:SENSe', ['VOLT', 'CURR', 'RES', 'TIME', 'STAT', 'SOUR']),
    // The ALL form sets both layers and has no query form: each layer is read on its own.
    ...perLayer(
      ':TRIGger',
      'SOURce',
      choice(
        '',
        { AINT: 'AINT', BUS: 'BUS', TIM: 'TIMER', INT1: 'INT1', INT2: 'INT2' },
        (s) => s.triggerSource,
        (s, token) => void (s.triggerSource = token),
      ),
    ),
    ...perLayer(':TRIGger', 'COUNt', number('', 'triggerCount', 1, 100_000, 1, { integer: true })),
    ...perLayer(':ARM', 'COUNt', number('', 'armCount', 1, 100_000, 1, { integer: true })),
    number(':TRIGger:ACQuire:DELay', 'acquireDelay', 0, 100_000, 0),
    flag(':OUTPut:PROTection[:STATe]', 'offAtCompliance'),
    // 1 = the interlock circuit is open (tripped): the output is limited to ±42 V.
    { pattern: ':SYSTem:INTerlock:TRIPped', query: (s) => (s.interlockAsserted ? '0' : '1') },
    flag(':OUTPut:OFF:AUTO', 'autoOff'),
    choice(
      ':OUTPut:OFF:MODE',
      { ZERO: 'ZERO', HIZ: 'HIZ', NORM: 'NORMAL' },
      (s) => s.outputOffMode,
      (s, token) => void (s.outputOffMode = token),
    ),
    {
      pattern: ':INITiate[:IMMediate][:ALL]',
      set: (s, args) => {
        channel(args);
        s.trigger();
      },
    },
    withChannel({ pattern: ':IDLE', query: (_s, args) => (channel(args), '1') }),
    withChannel({
      pattern: ':FETCh[:SCALar]',
      query: (s, args) => {
        channel(args);
        const last = s.fetched[s.fetched.length - 1];
        if (!last) throw SCPI_ERRORS.settingsConflict();
        return b2900Fields(s, last);
      },
    }),
    withChannel({
      pattern: ':FETCh:ARRay',
      query: (s, args) => {
        channel(args);
        return s.fetched.map((r) => b2900Fields(s, r)).join(',');
      },
    }),
    withChannel({
      pattern: ':MEASure',
      query: (s, args) => {
        channel(args);
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        return b2900Fields(s, s.measureNow());
      },
    }),
  ];
}

/** Header suffixes: the single-channel B2901 and the Keithleys accept none, or 1 (OUTP1, SENS1). */
export function suffixAllowed(suffixes: Array<number | null>): boolean {
  return suffixes.every((suffix) => suffix === null || suffix === 1);
}

export function commandTable(model: SmuModel): CommandTable<VirtualInstrument> {
  // The B1500A speaks FLEX (flex.ts), the 4200A KXCI (kxci.ts); their SCPI tables hold only the
  // simulator's own commands.
  if (model === 'b1500' || model === '4200a') return new CommandTable(simulation());
  return new CommandTable(model === '2400' ? k2400() : model === '2450' ? k2450() : b2900());
}
