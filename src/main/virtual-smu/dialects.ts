/**
 * SCPI dialects of the virtual SMU: Keithley 2400 (RS-232 era, 5-field READ?), Keithley 2450
 * (ILIM, defbuffer reads) and Keysight B2900 (PROT, pulse shape, MEAS? (@1)). Each is a table
 * of commands over the shared VirtualInstrument; `:SIM:*` commands stand in for a probe station.
 */
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

const IDN: Record<SmuModel, (serial: string) => string> = {
  '2400': (serial) => `KEITHLEY INSTRUMENTS INC.,MODEL 2400,${serial},C32   Oct  4 2010 14:20:11/A02  /S/K`,
  '2450': (serial) => `KEITHLEY INSTRUMENTS,MODEL 2450,${serial},1.7.12b`,
  b2900: (serial) => `Keysight Technologies,B2901B,${serial},5.0.2116.3970`,
};

/** Compliance is bit 3 of the 2400 status word. */
const STATUS_COMPLIANCE = 1 << 3;

const unquote = (arg: string | undefined) => (arg ?? '').replace(/^["']|["']$/g, '').toUpperCase();
const onOff = (value: boolean) => (value ? '1' : '0');
const voltage = (arg: string | undefined) => parseNumber(arg, { min: -210, max: 210, def: 0 });
const current = (arg: string | undefined, max: number) => parseNumber(arg, { min: 1e-9, max, def: 1.05e-4 });
const nplc = (arg: string | undefined, min: number, max: number) => parseNumber(arg, { min, max, def: 1 });

/** Specs shared by more than one dialect, each taking the dialect's own header. */
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

function voltageMode(pattern: string): Spec {
  return {
    pattern,
    set: (s, [a]) => {
      const mode = unquote(a);
      if (mode.startsWith('FIX')) s.sourceMode = 'FIX';
      else if (mode === 'LIST') s.sourceMode = 'LIST';
      else throw SCPI_ERRORS.illegalValue();
    },
    query: (s) => s.sourceMode,
  };
}

function triggerCount(pattern: string, max: number): Spec {
  return {
    pattern,
    set: (s, [a]) => void (s.triggerCount = Math.round(parseNumber(a, { min: 1, max, def: 1 }))),
    query: (s) => String(s.triggerCount),
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
      set: (s, [a]) => void (s.lineFrequency = parseNumber(a) === 60 ? 60 : 50),
      query: (s) => String(s.lineFrequency),
    },
    { pattern: ':SYSTem:BEEPer:STATe', set: () => {} },
    { pattern: ':SYSTem:REMote', set: () => {} },
    { pattern: ':SYSTem:LOCal', set: () => {} },
    { pattern: ':DISPlay:ENABle', set: () => {} },
    {
      pattern: ':OUTPut[:STATe]',
      set: (s, [a]) => s.setOutput(parseBoolean(a)),
      query: (s) => onOff(s.output),
    },
    { pattern: ':ABORt', set: (s) => (s.autoClear ? s.setOutput(false) : undefined) },
    { pattern: ':STATus:QUEue:CLEar', set: (s) => clearErrors(s) },
    { pattern: ':STATus:PRESet', set: () => {} },
    // Simulator-only: stands in for moving the probes to another cell of the die.
    {
      pattern: ':SIMulation:CELL',
      set: (s, [a]) => {
        const index = parseNumber(a, { min: 0, max: s.die.cells.length - 1 });
        if (!Number.isInteger(index)) throw SCPI_ERRORS.illegalValue();
        if (s.output) throw SCPI_ERRORS.settingsConflict(); // never move probes under bias
        s.cellIndex = index;
      },
      query: (s) => String(s.cellIndex),
    },
    { pattern: ':SIMulation:CELL:COUNt', query: (s) => String(s.die.cells.length) },
    { pattern: ':SIMulation:CELL:STATe', query: (s) => s.cell.state.toUpperCase() },
    { pattern: ':SIMulation:CELL:CONDuctance', query: (s) => formatScpiNumber(s.cell.g) },
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

function clearErrors(s: VirtualInstrument): void {
  while (s.errorCount() > 0) s.popError();
}

function k2400Fields(s: VirtualInstrument, r: Reading): string {
  const values: Record<string, number> = {
    VOLT: r.v,
    CURR: r.i,
    RES: UNMEASURED,
    TIME: r.t,
    STAT: r.compliance ? STATUS_COMPLIANCE : 0,
  };
  return s.elements.map((e) => formatScpiNumber(values[e] ?? UNMEASURED)).join(',');
}

function k2400(): Spec[] {
  return [
    ...common('2400'),
    {
      pattern: '[:SOURce]:FUNCtion[:MODE]',
      set: (_s, [a]) => {
        if (unquote(a) !== 'VOLT' && unquote(a) !== 'VOLTAGE') throw SCPI_ERRORS.settingsConflict();
      },
      query: () => 'VOLT',
    },
    {
      pattern: '[:SOURce]:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, [a]) => s.setLevel(voltage(a)),
      query: (s) => formatScpiNumber(s.level),
    },
    { pattern: '[:SOURce]:VOLTage:RANGe[:UPPer]', set: (_s, [a]) => void voltage(a) },
    { pattern: '[:SOURce]:VOLTage:RANGe:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    voltageMode('[:SOURce]:VOLTage:MODE'),
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
    {
      pattern: '[:SOURce]:DELay',
      set: (s, [a]) => void (s.sourceDelay = parseNumber(a, { min: 0, max: 9999.999, def: 0 })),
      query: (s) => formatScpiNumber(s.sourceDelay),
    },
    { pattern: '[:SOURce]:DELay:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    {
      pattern: '[:SOURce]:CLEar:AUTO',
      set: (s, [a]) => void (s.autoClear = parseBoolean(a)),
      query: (s) => onOff(s.autoClear),
    },
    { pattern: '[:SOURce]:CLEar[:IMMediate]', set: (s) => s.setOutput(false) },
    {
      pattern: '[:SENSe]:FUNCtion[:ON]',
      set: (_s, args) => {
        if (!args.every((a) => ['CURR', 'CURRENT', 'CURR:DC', 'VOLT', 'VOLT:DC'].includes(unquote(a))))
          throw SCPI_ERRORS.illegalValue();
      },
      query: () => '"CURR:DC"',
    },
    { pattern: '[:SENSe]:FUNCtion:CONCurrent', set: () => {} },
    {
      pattern: '[:SENSe]:CURRent[:DC]:PROTection[:LEVel]',
      set: (s, [a]) => void (s.compliance = current(a, 1.05)),
      query: (s) => formatScpiNumber(s.compliance),
    },
    { pattern: '[:SENSe]:CURRent[:DC]:PROTection:TRIPped', query: (s) => onOff(s.lastTrip) },
    { pattern: '[:SENSe]:CURRent[:DC]:RANGe[:UPPer]', set: (_s, [a]) => void current(a, 1.05) },
    { pattern: '[:SENSe]:CURRent[:DC]:RANGe:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    {
      pattern: '[:SENSe]:CURRent[:DC]:NPLCycles',
      set: (s, [a]) => void (s.nplc = nplc(a, 0.01, 10)),
      query: (s) => formatScpiNumber(s.nplc),
    },
    formatElements(':FORMat:ELEMents[:SENSe]', ['VOLT', 'CURR', 'RES', 'TIME', 'STAT']),
    triggerCount(':TRIGger:COUNt', 2500),
    { pattern: ':ARM:COUNt', set: () => {} },
    { pattern: ':TRIGger:DELay', set: () => {} },
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
    {
      pattern: ':MEASure[:CURRent][:DC]',
      query: (s) =>
        s
          .read()
          .map((r) => k2400Fields(s, r))
          .join(','),
    },
  ];
}

const K2450_ELEMENTS = new Set(['SOUR', 'READ', 'REL', 'SEC', 'STAT', 'DATE', 'TIME', 'UNIT']);

function k2450Reading(r: Reading, elements: string[]): string {
  return elements
    .map((e) => {
      switch (e) {
        case 'SOUR':
          return formatScpiNumber(r.v);
        case 'READ':
          return formatScpiNumber(r.i);
        case 'REL':
        case 'SEC':
          return formatScpiNumber(r.t);
        case 'STAT':
          return String(r.compliance ? 8 : 0);
        default:
          return '0';
      }
    })
    .join(',');
}

function k2450(): Spec[] {
  return [
    ...common('2450'),
    {
      pattern: ':SOURce:FUNCtion[:MODE]',
      set: (_s, [a]) => {
        if (!unquote(a).startsWith('VOLT')) throw SCPI_ERRORS.settingsConflict();
      },
      query: () => 'VOLT',
    },
    {
      pattern: ':SOURce:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, [a]) => s.setLevel(voltage(a)),
      query: (s) => formatScpiNumber(s.level),
    },
    { pattern: ':SOURce:VOLTage:RANGe', set: (_s, [a]) => void voltage(a) },
    { pattern: ':SOURce:VOLTage:RANGe:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    {
      pattern: ':SOURce:VOLTage:ILIMit[:LEVel]',
      set: (s, [a]) => void (s.compliance = current(a, 1.05)),
      query: (s) => formatScpiNumber(s.compliance),
    },
    { pattern: ':SOURce:VOLTage:ILIMit[:LEVel]:TRIPped', query: (s) => onOff(s.lastTrip) },
    {
      pattern: ':SOURce:VOLTage:DELay',
      set: (s, [a]) => void (s.sourceDelay = parseNumber(a, { min: 0, max: 10000, def: 0 })),
      query: (s) => formatScpiNumber(s.sourceDelay),
    },
    { pattern: ':SOURce:VOLTage:DELay:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    { pattern: ':SOURce:VOLTage:READ:BACK', set: (_s, [a]) => void parseBoolean(a) },
    {
      pattern: ':SENSe:FUNCtion[:ON]',
      set: (_s, [a]) => {
        if (!unquote(a).startsWith('CURR')) throw SCPI_ERRORS.illegalValue();
      },
      query: () => '"CURR:DC"',
    },
    {
      pattern: ':SENSe:CURRent[:DC]:NPLCycles',
      set: (s, [a]) => void (s.nplc = nplc(a, 0.01, 10)),
      query: (s) => formatScpiNumber(s.nplc),
    },
    { pattern: ':SENSe:CURRent[:DC]:RANGe[:UPPer]', set: (_s, [a]) => void current(a, 1.05) },
    { pattern: ':SENSe:CURRent[:DC]:RANGe:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    { pattern: ':TRACe:CLEar', set: () => {} },
    {
      pattern: ':READ',
      query: (s, args) => {
        const elements = args.length > 1 ? args.slice(1).map(unquote) : ['READ'];
        if (args.length > 0 && !/^"?DEFBUFFER[12]"?$/i.test(args[0]!)) throw SCPI_ERRORS.illegalValue();
        if (!elements.every((e) => K2450_ELEMENTS.has(e))) throw SCPI_ERRORS.illegalValue();
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        s.advance(s.sourceDelay);
        return k2450Reading(s.measureNow(), elements);
      },
    },
    {
      pattern: ':MEASure[:CURRent][:DC]',
      query: (s) => {
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        return formatScpiNumber(s.measureNow().i);
      },
    },
  ];
}

function b2900Fields(s: VirtualInstrument, r: Reading): string {
  const values: Record<string, number> = {
    VOLT: r.v,
    CURR: r.i,
    RES: UNMEASURED,
    TIME: r.t,
    STAT: r.compliance ? 8 : 0,
    SOUR: r.v,
  };
  return s.elements.map((e) => formatScpiNumber(values[e] ?? UNMEASURED)).join(',');
}

function channel(args: string[]): void {
  const list = args.find((a) => a.startsWith('('));
  if (list && list.replace(/\s/g, '') !== '(@1)') throw SCPI_ERRORS.illegalValue();
}

function b2900(): Spec[] {
  return [
    ...common('b2900'),
    {
      pattern: ':SOURce:FUNCtion:MODE',
      set: (_s, [a]) => {
        if (!unquote(a).startsWith('VOLT')) throw SCPI_ERRORS.settingsConflict();
      },
      query: () => 'VOLT',
    },
    {
      pattern: ':SOURce:FUNCtion:SHAPe',
      set: (s, [a]) => {
        const shape = unquote(a);
        if (shape.startsWith('PULS')) s.pulseShape = 'PULS';
        else if (shape === 'DC') s.pulseShape = 'DC';
        else throw SCPI_ERRORS.illegalValue();
      },
      query: (s) => s.pulseShape,
    },
    {
      pattern: ':SOURce:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, [a]) => s.setLevel(voltage(a)),
      query: (s) => formatScpiNumber(s.level),
    },
    {
      pattern: ':SOURce:VOLTage[:LEVel]:TRIGgered[:AMPLitude]',
      set: (s, [a]) => void (s.triggerLevel = voltage(a)),
      query: (s) => formatScpiNumber(s.triggerLevel),
    },
    voltageMode(':SOURce:VOLTage:MODE'),
    { pattern: ':SOURce:LIST:VOLTage', set: (s, args) => void (s.listVoltages = args.map(voltage)) },
    { pattern: ':SOURce:VOLTage:RANGe:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    {
      pattern: ':SOURce:PULSe:WIDTh',
      set: (s, [a]) => void (s.pulseWidth = parseNumber(a, { min: 50e-6, max: 2, def: 1e-3 })),
      query: (s) => formatScpiNumber(s.pulseWidth),
    },
    {
      pattern: ':SOURce:PULSe:DELay',
      set: (s, [a]) => void (s.pulseDelay = parseNumber(a, { min: 0, max: 99999.9, def: 0 })),
      query: (s) => formatScpiNumber(s.pulseDelay),
    },
    {
      pattern: ':SENSe:FUNCtion[:ON]',
      set: (_s, args) => {
        if (!args.every((a) => ['CURR', 'VOLT'].includes(unquote(a).slice(0, 4))))
          throw SCPI_ERRORS.illegalValue();
      },
    },
    {
      pattern: ':SENSe:CURRent[:DC]:PROTection[:LEVel]',
      set: (s, [a]) => void (s.compliance = current(a, 3.03)),
      query: (s) => formatScpiNumber(s.compliance),
    },
    { pattern: ':SENSe:CURRent[:DC]:PROTection:TRIPped', query: (s) => onOff(s.lastTrip) },
    {
      pattern: ':SENSe:CURRent[:DC]:NPLCycles',
      set: (s, [a]) => void (s.nplc = nplc(a, 4e-4, 100)),
      query: (s) => formatScpiNumber(s.nplc),
    },
    { pattern: ':SENSe:CURRent[:DC]:RANGe:AUTO', set: (_s, [a]) => void parseBoolean(a) },
    formatElements(':FORMat:ELEMents:SENSe', ['VOLT', 'CURR', 'RES', 'TIME', 'STAT', 'SOUR']),
    triggerCount(':TRIGger[:ALL]:COUNt', 100000),
    { pattern: ':TRIGger[:ALL]:SOURce', set: () => {} },
    { pattern: ':ARM[:ALL]:COUNt', set: () => {} },
    {
      pattern: ':INITiate[:IMMediate][:ALL]',
      set: (s, args) => {
        channel(args);
        s.trigger();
      },
    },
    {
      pattern: ':FETCh[:SCALar]',
      query: (s, args) => {
        channel(args);
        const last = s.fetched[s.fetched.length - 1];
        if (!last) throw SCPI_ERRORS.settingsConflict();
        return b2900Fields(s, last);
      },
    },
    {
      pattern: ':FETCh:ARRay',
      query: (s, args) => {
        channel(args);
        return s.fetched.map((r) => b2900Fields(s, r)).join(',');
      },
    },
    {
      pattern: ':MEASure',
      query: (s, args) => {
        channel(args);
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        return b2900Fields(s, s.measureNow());
      },
    },
    {
      pattern: ':MEASure:CURRent[:DC]',
      query: (s, args) => {
        channel(args);
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        return formatScpiNumber(s.measureNow().i);
      },
    },
  ];
}

export function commandTable(model: SmuModel): CommandTable<VirtualInstrument> {
  return new CommandTable(model === '2400' ? k2400() : model === '2450' ? k2450() : b2900());
}
