/**
 * The same 4×4 array behind a (virtual) Keithley 707B, driven in TSP: rows A–H are the inputs,
 * the card's columns the outputs, `channel.exclusiveclose` selects a cell and `getclose` must list
 * exactly its two crosspoints. Every cell is formed and read through it with 0 relay moves under
 * bias (the matrix's own log), and the dialect refuses what the 707B refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { startMatrixServer, type MatrixServer } from '../../src/main/virtual-smu/matrix';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { ProcedureParams } from '../../src/shared/procedures';
import {
  cellPaths,
  parseK707Channels,
  toK707Channels,
  wiringProblem,
  K707_COLUMNS_PER_SLOT,
  K707_ROWS,
  type MatrixWiring,
} from '../../src/shared/switch-matrix';
import { rawQuery, startSim } from '../helpers/sim';

const WIRING: MatrixWiring = { rows: 4, columns: 4, hiInput: 1, loInput: 2 };

describe('Keithley 707B switching matrix (TSP)', () => {
  let sim: SimServer;
  let matrix: MatrixServer;
  beforeAll(async () => {
    sim = await startSim({ model: 'b2900', cells: 16, seed: 23, timeScale: 0 });
    matrix = await startMatrixServer({ instrument: sim.instrument, wiring: WIRING, model: '707b' });
  });
  afterAll(async () => {
    await matrix?.close();
    await sim?.close();
  });

  it('channels are SRCC: rows A–H are inputs, each slot adds 12 columns', () => {
    expect(toK707Channels(cellPaths(WIRING, 9))).toBe('1A03,1B06');
    expect(toK707Channels([{ input: 8, output: 13 }])).toBe('2H01');
    expect(parseK707Channels('1A03,2H01')).toEqual([
      { input: 1, output: 3 },
      { input: 8, output: 13 },
    ]);
    expect(parseK707Channels('nil')).toEqual([]);
    expect(() => parseK707Channels('1I01')).toThrow(/not a 707B matrix channel/);
    expect(wiringProblem({ ...WIRING, loInput: 9 }, K707_COLUMNS_PER_SLOT, K707_ROWS)).toMatch(/inputs 1–8/);
  });

  it('the dialect refuses a row beyond H, slots in a close, and unknown statements, with no reply', async () => {
    const replies = await rawQuery(
      matrix.port,
      [
        'channel.close("1I01")',
        'channel.close("allslots")',
        'channel.frobnicate()',
        'print(errorqueue.count)',
        'print(errorqueue.next())',
        'print(errorqueue.next())',
        'print(errorqueue.next())',
        'print(channel.getclose("allslots"))',
      ],
      5,
    );
    expect(replies[0]).toBe('3.00000e+00');
    expect(replies.slice(1, 4).map((r) => r.split('\t')[0])).toEqual([
      '-2.86000e+02',
      '-2.86000e+02',
      '-2.85000e+02',
    ]);
    expect(replies[4]).toBe('nil');
    expect(matrix.matrix.moves).toBe(0);
  });

  it('forms and reads all 16 cells through the matrix, each by its two crosspoints, with 0 relay moves under bias', async () => {
    const smu = await connectInstrument(sim.resource, {
      matrix: { resource: matrix.resource, wiring: WIRING },
    });
    try {
      expect(smu.driver).toMatch(/via 707B/);
      for (let cell = 0; cell < 16; cell++) {
        const result = await runProcedure(
          smu,
          ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3, cell }),
          {},
        );
        expect(result.status, `cell ${cell}: ${JSON.stringify(result.error)}`).toBe('completed');
        expect(sim.instrument.cellIndex).toBe(cell);
        expect(matrix.matrix.paths()).toEqual(cellPaths(WIRING, cell));
      }
      expect(sim.instrument.die.cells.every((c) => c.state === 'formed')).toBe(true);
      const settings = await smu.settings();
      expect(settings.switchMatrix).toMatchObject({ model: '707B', closed: '1A04,1B08' });
    } finally {
      await smu.close();
    }
    expect(matrix.matrix.moves).toBeGreaterThanOrEqual(16);
    expect(matrix.matrix.violations).toEqual([]);
    expect(matrix.matrix.paths()).toEqual([]);
  }, 60_000);
});
