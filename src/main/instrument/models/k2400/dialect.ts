/** The virtual Keithley 2400: its SCPI command table, as its manual gives the commands. */
import type { Reading, VirtualInstrument } from '../../../virtual-smu/instrument';
import {
  formatScpiNumber,
  parseBoolean,
  parseNumber,
  SCPI_ERRORS,
  UNMEASURED,
} from '../../../virtual-smu/scpi-parser';
import {
  choice,
  common,
  flag,
  formatElements,
  number,
  OVERFLOW_READING,
  onOff,
  single,
  unquote,
  voltage,
  type Spec,
} from '../../../virtual-smu/scpi-dialect';
import { K2400_TIMING } from './facts';

type State = VirtualInstrument;

const K2400_STATUS = {
  overflow: 1 << 0,
  front: 1 << 2,
  compliance: 1 << 3,
  rangeCompliance: 1 << 16,
  remoteSense: 1 << 22,
};

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

export function k2400(idn: (serial: string) => string): Spec[] {
  return [...common(idn), ...k2400Source(), ...k2400Sense(), ...k2400Trigger()];
}

/** Source: function, level, range, sweep and list, delays, output-off state. */
function k2400Source(): Spec[] {
  return [
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
  ];
}

/** Sense: the compliance limit, ranges, NPLC, filter, remote sense, the reading format. */
function k2400Sense(): Spec[] {
  return [
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
  ];
}

/** Trigger and arm counts, the interlock, and reading: INITiate, FETCh, ABORt. */
function k2400Trigger(): Spec[] {
  return [
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
