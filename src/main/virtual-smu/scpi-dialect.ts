/**
 * What the virtual SMU's SCPI dialects share: the table builders, IEEE 488.2 common commands and
 * the simulator's own `:SIM:*` commands (a probe station that selects a cell, and the truth for
 * tests). Each model's table lives in its folder (instrument/models/<model>/dialect.ts) and
 * holds the commands its real model accepts, in the forms its manual gives: anything else is -113
 * "Undefined header", a query given parameters it does not take is -108, and values out of the
 * model's range are -222.
 */
import type { VirtualInstrument } from './instrument';
import { formatScpiNumber, parseBoolean, parseNumber, SCPI_ERRORS, type CommandSpec } from './scpi-parser';

export type Spec = CommandSpec<VirtualInstrument>;
type State = VirtualInstrument;

export const OVERFLOW_READING = 9.9e37;

export const unquote = (arg: string | undefined) => (arg ?? '').replace(/^["']|["']$/g, '').toUpperCase();
export const onOff = (value: boolean) => (value ? '1' : '0');
export const voltage = (arg: string | undefined) => parseNumber(arg, { min: -210, max: 210, def: 0 });
export const single = (args: string[]) => {
  if (args.length > 1) throw SCPI_ERRORS.parameterNotAllowed();
  return args[0];
};

/** A boolean setting on the instrument state. */
export function flag(
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
export function number(
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
export function perLayer(root: string, leaf: string, spec: Spec): Spec[] {
  return [
    { pattern: `${root}[:ALL]:${leaf}`, set: spec.set! },
    { ...spec, pattern: `${root}:ACQuire:${leaf}` },
    { ...spec, pattern: `${root}:TRANsient:${leaf}` },
  ];
}

/** A trigger-model block number (1 to 2048). */
export function blockNumber(text: string): number {
  const n = parseNumber(text, { min: 1, max: 2048, def: 1 });
  if (!Number.isInteger(n)) throw SCPI_ERRORS.illegalValue();
  return n;
}

export function choice(
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

export function common(idn: (serial: string) => string): Spec[] {
  return [
    { pattern: '*IDN', query: (s) => idn(s.serial) },
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
export function simulation(): Spec[] {
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

export function clearErrors(s: State): void {
  while (s.errorCount() > 0) s.popError();
}

export function formatElements(pattern: string, allowed: string[]): Spec {
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

/** Header suffixes: the single-channel B2901 and the Keithleys accept none, or 1 (OUTP1, SENS1). */
export function suffixAllowed(suffixes: Array<number | null>): boolean {
  return suffixes.every((suffix) => suffix === null || suffix === 1);
}
