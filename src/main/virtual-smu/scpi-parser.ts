/**
 * SCPI program-message parsing for the virtual SMU: ';'-separated units, long and short
 * mnemonics in any case, optional [nodes], numeric suffixes (OUTP1) and the rule that a
 * header without a leading ':' after ';' continues from the previous header's path.
 */

interface Node {
  short: string;
  long: string;
  optional: boolean;
}

export interface CommandSpec<C> {
  /** e.g. "[:SOURce]:VOLTage[:LEVel][:IMMediate][:AMPLitude]" or "*IDN". */
  pattern: string;
  /** The query takes parameters (MIN/MAX, buffer names, a channel list); otherwise any is -108. */
  queryArgs?: boolean;
  query?: (ctx: C, args: string[]) => string | Promise<string>;
  set?: (ctx: C, args: string[]) => void | Promise<void>;
}

interface CompiledSpec<C> {
  nodes: Node[];
  common: string | undefined;
  spec: CommandSpec<C>;
}

export interface ParsedUnit {
  /** Uppercased header tokens, numeric suffixes stripped. */
  tokens: string[];
  /** The numeric suffix of each token (OUTP1 → 1), or null. */
  suffixes: Array<number | null>;
  common: string | undefined;
  isQuery: boolean;
  args: string[];
  raw: string;
}

export class ScpiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const SCPI_ERRORS = {
  undefinedHeader: () => new ScpiError(-113, 'Undefined header'),
  syntax: () => new ScpiError(-102, 'Syntax error'),
  missingParameter: () => new ScpiError(-109, 'Missing parameter'),
  parameterNotAllowed: () => new ScpiError(-108, 'Parameter not allowed'),
  headerSuffix: () => new ScpiError(-114, 'Header suffix out of range'),
  dataType: () => new ScpiError(-104, 'Data type error'),
  illegalValue: () => new ScpiError(-224, 'Illegal parameter value'),
  outOfRange: () => new ScpiError(-222, 'Data out of range'),
  settingsConflict: () => new ScpiError(-221, 'Settings conflict'),
  queryInterrupted: () => new ScpiError(-410, 'Query INTERRUPTED'),
};

function compileNodes(pattern: string): Node[] {
  const nodes: Node[] = [];
  const re = /(\[)?:?([A-Za-z]+)\]?/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(pattern))) {
    const word = match[2]!;
    const short = word.replace(/[a-z]+$/, '').replace(/[a-z]/g, '');
    nodes.push({ short: short.toUpperCase(), long: word.toUpperCase(), optional: Boolean(match[1]) });
  }
  return nodes;
}

function nodeMatches(node: Node, token: string): boolean {
  return token === node.short || token === node.long;
}

function matchNodes(nodes: Node[], tokens: string[], n = 0, t = 0): boolean {
  if (n === nodes.length) return t === tokens.length;
  const node = nodes[n]!;
  if (t < tokens.length && nodeMatches(node, tokens[t]!) && matchNodes(nodes, tokens, n + 1, t + 1))
    return true;
  return node.optional && matchNodes(nodes, tokens, n + 1, t);
}

/** Splits on a separator outside quotes and parentheses. */
export function splitOutside(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

export function parseMessage(line: string): ParsedUnit[] {
  const units: ParsedUnit[] = [];
  let path: string[] = [];
  let pathSuffixes: Array<number | null> = [];
  for (const rawUnit of splitOutside(line, ';')) {
    const raw = rawUnit.trim();
    if (!raw) continue;
    const space = raw.search(/\s/);
    const header = space < 0 ? raw : raw.slice(0, space);
    const argText = space < 0 ? '' : raw.slice(space + 1).trim();
    const args = argText ? splitOutside(argText, ',').map((a) => a.trim()) : [];
    const isQuery = header.endsWith('?');
    // ':*CLS' is accepted by real instruments as '*CLS'.
    const bare = (isQuery ? header.slice(0, -1) : header).replace(/^:(?=\*)/, '');
    if (bare.startsWith('*')) {
      units.push({ tokens: [], suffixes: [], common: bare.toUpperCase(), isQuery, args, raw });
      continue;
    }
    const absolute = bare.startsWith(':');
    const parts = bare.split(':').filter(Boolean);
    const tokens = parts.map((t) => t.toUpperCase().replace(/\d+$/, ''));
    const suffixes = parts.map((t) => {
      const digits = /\d+$/.exec(t)?.[0];
      return digits === undefined ? null : Number(digits);
    });
    if (tokens.some((t) => !/^[A-Z]+$/.test(t))) throw SCPI_ERRORS.syntax();
    const continued = !(absolute || path.length === 0);
    const full = continued ? [...path, ...tokens] : tokens;
    const fullSuffixes = continued ? [...pathSuffixes, ...suffixes] : suffixes;
    path = full.slice(0, -1);
    pathSuffixes = fullSuffixes.slice(0, -1);
    units.push({ tokens: full, suffixes: fullSuffixes, common: undefined, isQuery, args, raw });
  }
  return units;
}

export class CommandTable<C> {
  private readonly compiled: CompiledSpec<C>[];

  constructor(specs: CommandSpec<C>[]) {
    this.compiled = specs.map((spec) =>
      spec.pattern.startsWith('*')
        ? { nodes: [], common: spec.pattern.toUpperCase(), spec }
        : { nodes: compileNodes(spec.pattern), common: undefined, spec },
    );
  }

  find(unit: ParsedUnit): CommandSpec<C> | undefined {
    for (const entry of this.compiled) {
      if (unit.common !== undefined) {
        if (entry.common === unit.common) return entry.spec;
        continue;
      }
      if (entry.common === undefined && matchNodes(entry.nodes, unit.tokens)) {
        if (unit.isQuery ? entry.spec.query : entry.spec.set) return entry.spec;
      }
    }
    return undefined;
  }
}

/** SCPI numeric parameter: numbers (with optional unit suffix), MIN/MAX/DEF. */
export function parseNumber(
  arg: string | undefined,
  limits?: { min: number; max: number; def?: number },
): number {
  if (arg === undefined || arg === '') throw SCPI_ERRORS.missingParameter();
  const upper = arg.toUpperCase();
  if (limits) {
    if (upper === 'MIN' || upper === 'MINIMUM') return limits.min;
    if (upper === 'MAX' || upper === 'MAXIMUM') return limits.max;
    if ((upper === 'DEF' || upper === 'DEFAULT') && limits.def !== undefined) return limits.def;
  }
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?)\s*(M|U|N|P|K)?[A-Z]*$/i.exec(arg);
  if (!match) throw SCPI_ERRORS.dataType();
  const scale = { M: 1e-3, U: 1e-6, N: 1e-9, P: 1e-12, K: 1e3 }[(match[2] ?? '').toUpperCase() as 'M'] ?? 1;
  const value = Number(match[1]) * scale;
  if (!Number.isFinite(value)) throw SCPI_ERRORS.dataType();
  if (limits && (value < limits.min || value > limits.max)) throw SCPI_ERRORS.outOfRange();
  return value;
}

export function parseBoolean(arg: string | undefined): boolean {
  const upper = (arg ?? '').toUpperCase();
  if (upper === 'ON' || upper === '1') return true;
  if (upper === 'OFF' || upper === '0') return false;
  if (arg === undefined || arg === '') throw SCPI_ERRORS.missingParameter();
  throw SCPI_ERRORS.illegalValue();
}

/** Instrument-style number: +1.000236E+00. */
export function formatScpiNumber(value: number, digits = 6): string {
  const [mantissa, exponent] = value.toExponential(digits).split('e') as [string, string];
  const exp = Number(exponent);
  const sign = value < 0 || Object.is(value, -0) ? '-' : '+';
  return `${sign}${mantissa.replace('-', '')}E${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

export const UNMEASURED = 9.91e37;
