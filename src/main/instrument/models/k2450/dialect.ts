/** The virtual Keithley 2450 (SCPI command set): its SCPI command table, as its manual gives the commands. */
import type { Reading, VirtualInstrument } from '../../../virtual-smu/instrument';
import { formatScpiNumber, parseBoolean, parseNumber, SCPI_ERRORS } from '../../../virtual-smu/scpi-parser';
import {
  blockNumber,
  choice,
  common,
  flag,
  number,
  OVERFLOW_READING,
  onOff,
  single,
  unquote,
  voltage,
  type Spec,
} from '../../../virtual-smu/scpi-dialect';
import { K2450_TIMING } from './facts';

type State = VirtualInstrument;

const K2450_SOURCE_STATUS = { readback: 1 << 3, limited: 1 << 5, sense: 1 << 6, output: 1 << 7 };

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

export function k2450(idn: (serial: string) => string): Spec[] {
  return [...common(idn), ...k2450Source(), ...k2450Sense(), ...k2450Trigger(), ...k2450Output()];
}

/** Source: function, level, range, limit, delay, read-back, output-off state. */
function k2450Source(): Spec[] {
  return [
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
  ];
}

/** Sense: current measurement (NPLC, ranges, auto-zero, filter, 4-wire). */
function k2450Sense(): Spec[] {
  return [
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
  ];
}

/** The trigger model (2461 manual p. 6-200 ff.): what a pulse needs of it, strictly. */
function k2450Trigger(): Spec[] {
  return [
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
  ];
}

/** Reading: the buffer (TRACe:DATA), the interlock, READ and MEASure. */
function k2450Output(): Spec[] {
  return [
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
