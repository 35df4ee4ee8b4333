/**
 * How the cells of an array reach the SMU through a switch matrix, declared once (labels, ranges,
 * help): the Instrument page's form, the API and the CLI's `--matrix…` flags come from here.
 *
 * The wiring is a crossbar of pads: cell (row r, column c) is the device between row pad r and
 * column pad c, numbered r·columns + c as the die map numbers cells. Row pads sit on the matrix's
 * outputs 1…rows, column pads on the next `columns` outputs. The SMU's force (HI) comes in on one
 * input and its LO (or a ground unit) on another: selecting a cell closes (HI input → its row)
 * and (LO input → its column), and nothing else.
 */
import { z } from 'zod';
import { param } from './params';

/** Keysight B2200A/B2201A in auto-configuration mode: 14 inputs, up to 48 outputs (4 cards of 12). */
export const B2200_INPUTS = 14;
export const B2200_OUTPUTS = 48;

export const MatrixWiringFields = {
  matrix: param(z.string().trim().min(1).max(500).optional(), {
    label: 'Switch matrix',
    help: 'resource of a Keysight B2200A/B2201A or Keithley 707B/708B in front of an array (e.g. GPIB0::22::INSTR); empty: the probes select the cell',
    advanced: true,
  }),
  matrixRows: param(
    z
      .number()
      .int()
      .min(1)
      .max(B2200_OUTPUTS - 1)
      .default(4),
    {
      label: 'Array rows',
      help: 'row pads on matrix outputs 1…rows',
      advanced: true,
    },
  ),
  matrixColumns: param(
    z
      .number()
      .int()
      .min(1)
      .max(B2200_OUTPUTS - 1)
      .default(4),
    {
      label: 'Array columns',
      help: 'column pads on the outputs after the rows',
      advanced: true,
    },
  ),
  matrixHiInput: param(z.number().int().min(1).max(B2200_INPUTS).default(1), {
    label: 'SMU HI input',
    help: "matrix input the SMU's force (HI) is cabled to (1–8 are the SMU inputs)",
    advanced: true,
  }),
  matrixLoInput: param(z.number().int().min(1).max(B2200_INPUTS).default(2), {
    label: 'SMU LO input',
    help: "matrix input the SMU's LO (or a ground unit) is cabled to",
    advanced: true,
  }),
};

export interface MatrixWiring {
  rows: number;
  columns: number;
  hiInput: number;
  loInput: number;
}

/** One crosspoint: a matrix input connected to a matrix output. */
export interface MatrixPath {
  input: number;
  output: number;
}

/**
 * Keithley 707B (six slots) / 708B (one slot) with 7174A-style matrix cards: rows A–H are the
 * inputs (row A is input 1), and each slot adds 12 columns, the outputs (slot 2 column 01 is
 * output 13). A channel is SRCC: slot digit, row letter, two-digit column ("1A01").
 */
export const K707_ROWS = 8;
export const K707_COLUMNS_PER_SLOT = 12;

/** "1A01,2B03" for these crosspoints, in slot, row, column order. */
export function toK707Channels(paths: readonly MatrixPath[]): string {
  return [...paths]
    .map((p) => {
      const slot = Math.ceil(p.output / K707_COLUMNS_PER_SLOT);
      const column = ((p.output - 1) % K707_COLUMNS_PER_SLOT) + 1;
      return `${slot}${'ABCDEFGH'[p.input - 1]}${String(column).padStart(2, '0')}`;
    })
    .sort()
    .join(',');
}

/** Parses "1A01,2B03" (or "nil": nothing closed); throws on anything else. */
export function parseK707Channels(text: string): MatrixPath[] {
  const body = text.trim();
  if (body === 'nil' || body === '') return [];
  return body.split(',').map((item) => {
    const match = /^([1-6])([A-H])(\d{2})$/.exec(item.trim());
    if (!match || Number(match[3]) < 1 || Number(match[3]) > K707_COLUMNS_PER_SLOT)
      throw new SyntaxError(`'${item}' is not a 707B matrix channel (SRCC, e.g. 1A01)`);
    return {
      input: 'ABCDEFGH'.indexOf(match[2]!) + 1,
      output: (Number(match[1]) - 1) * K707_COLUMNS_PER_SLOT + Number(match[3]),
    };
  });
}

/** Why a wiring cannot work, or null. */
export function wiringProblem(
  wiring: MatrixWiring,
  outputs = B2200_OUTPUTS,
  inputs = B2200_INPUTS,
): string | null {
  if (wiring.hiInput > inputs || wiring.loInput > inputs)
    return `the matrix has ${inputs} inputs (rows), so the SMU's HI and LO must be on inputs 1–${inputs}`;
  if (wiring.hiInput === wiring.loInput)
    return `the SMU's HI and LO are both on input ${wiring.hiInput}: the cell would be shorted out`;
  if (wiring.rows + wiring.columns > outputs)
    return `${wiring.rows} rows + ${wiring.columns} columns need ${wiring.rows + wiring.columns} outputs; the matrix has ${outputs}`;
  return null;
}

export const cellCount = (wiring: MatrixWiring) => wiring.rows * wiring.columns;

/** The two crosspoints that put `cell` (and only it) between the SMU's HI and LO. */
export function cellPaths(wiring: MatrixWiring, cell: number): [MatrixPath, MatrixPath] {
  if (!Number.isInteger(cell) || cell < 0 || cell >= cellCount(wiring))
    throw new RangeError(
      `cell ${cell} is not on a ${wiring.rows}×${wiring.columns} array (cells 0–${cellCount(wiring) - 1})`,
    );
  const row = Math.floor(cell / wiring.columns);
  const column = cell % wiring.columns;
  return [
    { input: wiring.hiInput, output: row + 1 },
    { input: wiring.loInput, output: wiring.rows + column + 1 },
  ];
}

/**
 * The cells the SMU sees through the closed crosspoints: every (row on HI, column on LO) pair.
 * One cell is a proper selection; none is an open circuit; more are cells in parallel.
 */
export function cellsBetween(wiring: MatrixWiring, closed: readonly MatrixPath[]): number[] {
  const rows = closed
    .filter((p) => p.input === wiring.hiInput && p.output >= 1 && p.output <= wiring.rows)
    .map((p) => p.output - 1);
  const columns = closed
    .filter(
      (p) => p.input === wiring.loInput && p.output > wiring.rows && p.output <= wiring.rows + wiring.columns,
    )
    .map((p) => p.output - wiring.rows - 1);
  const cells = rows.flatMap((r) => columns.map((c) => r * wiring.columns + c));
  return [...new Set(cells)].sort((a, b) => a - b);
}

/** SCPI channel list in the B2200's auto-configuration form: card 0, two-digit input and output. */
export function toChannelList(paths: readonly MatrixPath[]): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `(@${paths.map((p) => `0${pad(p.input)}${pad(p.output)}`).join(',')})`;
}

/**
 * Parses a channel list "(@00101,00212)" (card digit optional, as the B2200 writes it with one
 * card); ranges "a:b" expand along the outputs. Throws on anything else.
 */
export function parseChannelList(text: string): MatrixPath[] {
  if (!text.trim()) return [];
  const match = /^\s*\(\s*@([^)]*)\)\s*$/.exec(text);
  if (!match) throw new SyntaxError(`'${text}' is not a channel list`);
  const body = match[1]!.trim();
  if (!body) return [];
  const one = (item: string): MatrixPath => {
    const digits = item.trim();
    if (!/^\d{4,5}$/.test(digits)) throw new SyntaxError(`'${item}' is not a channel (cIIOO)`);
    const tail = digits.slice(-4);
    return { input: Number(tail.slice(0, 2)), output: Number(tail.slice(2)) };
  };
  return body.split(',').flatMap((item) => {
    const [from, to] = item.split(':');
    if (to === undefined) return [one(from!)];
    const a = one(from!);
    const b = one(to);
    if (a.input !== b.input || b.output < a.output)
      throw new SyntaxError(`'${item}' is not a range of outputs on one input`);
    return Array.from({ length: b.output - a.output + 1 }, (_, k) => ({
      input: a.input,
      output: a.output + k,
    }));
  });
}
