/**
 * A 4×4 array behind a (virtual) Keysight B2200A switch matrix: the die map picks real cells, and
 * no relay ever moves with the SMU's output on. The matrix's own log of relay moves under bias
 * is the truth; a raw client shows that the log does catch a hot switch, so "0" means something.
 */
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/main/services/events';
import { createServices, type Services } from '../../src/main/api/services';
import { connectInstrument } from '../../src/main/instrument/connect';
import { RoutedSmu } from '../../src/main/instrument/switch/routed-smu';
import { startMatrixServer, type MatrixServer } from '../../src/main/virtual-smu/matrix';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { ConnectRequest } from '../../src/shared/api';
import {
  cellPaths,
  cellsBetween,
  parseChannelList,
  toChannelList,
  type MatrixWiring,
} from '../../src/shared/switch-matrix';
import { startSim } from '../helpers/sim';
import { queueEnd } from '../helpers/events';
import { tempDbPath } from '../helpers/temp';

const WIRING: MatrixWiring = { rows: 4, columns: 4, hiInput: 1, loInput: 2 };

/** One raw SCPI exchange per line, replies collected for the queries. */
async function raw(port: number, lines: string[]): Promise<string[]> {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) =>
    socket.connect(port, '127.0.0.1', resolve).once('error', reject),
  );
  let buffer = '';
  socket.on('data', (chunk) => (buffer += chunk.toString('latin1')));
  const replies: string[] = [];
  for (const line of lines) {
    socket.write(`${line}\n`);
    if (!line.includes('?')) continue;
    const deadline = Date.now() + 2000;
    while (!buffer.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const end = buffer.indexOf('\n');
    replies.push(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
  }
  socket.destroy();
  return replies;
}

describe('wiring: cells, crosspoints and channel lists', () => {
  it('every cell of a 4×4 and a 3×7 array is selected by its two crosspoints alone', () => {
    for (const wiring of [WIRING, { rows: 3, columns: 7, hiInput: 5, loInput: 9 }]) {
      for (let cell = 0; cell < wiring.rows * wiring.columns; cell++) {
        const paths = cellPaths(wiring, cell);
        expect(cellsBetween(wiring, paths)).toEqual([cell]);
        expect(parseChannelList(toChannelList(paths))).toEqual(paths);
      }
    }
    // Two rows on HI and one column on LO: two cells in parallel, which is not a selection.
    expect(
      cellsBetween(WIRING, [
        { input: 1, output: 1 },
        { input: 1, output: 2 },
        { input: 2, output: 6 },
      ]),
    ).toEqual([1, 5]);
    expect(toChannelList(cellPaths(WIRING, 6))).toBe('(@00102,00207)');
    expect(parseChannelList('(@10101:10103)')).toEqual([1, 2, 3].map((output) => ({ input: 1, output })));
    expect(() => cellPaths(WIRING, 16)).toThrow(/cells 0–15/);
  });
});

describe('a 16-cell array behind a virtual B2200A', () => {
  let sim: SimServer;
  let matrix: MatrixServer;

  beforeAll(async () => {
    sim = await startSim({ model: 'b2900', cells: 16, seed: 5, timeScale: 0 });
    matrix = await startMatrixServer({ instrument: sim.instrument, wiring: WIRING });
  });
  afterAll(async () => {
    await matrix?.close();
    await sim?.close();
  });

  it('is strict as the B2200 manual is, and logs a relay move under bias as a violation', async () => {
    const replies = await raw(matrix.port, [
      '*RST',
      ':ROUT:CLOS (@10101)', // card 1 in the auto configuration mode: -222
      ':ROUT:CLOS (@01549)', // input 15, output 49: -222
      ':ROUT:CONN:RULE 0,SOLO', // no such rule: -224
      ':SYST:ERR?',
      ':SYST:ERR?',
      ':SYST:ERR?',
      ':SYST:ERR?',
      ':ROUT:CLOS (@00101,00205)',
      ':ROUT:CLOS? (@00101,00102,00205)',
      ':ROUT:CLOS:CARD? 0',
    ]);
    expect(replies.slice(0, 4)).toEqual([
      '-222,"Data out of range"',
      '-222,"Data out of range"',
      '-224,"Illegal parameter value"',
      '0,"No error"',
    ]);
    expect(replies[4]).toBe('1,0,1');
    expect(replies[5]).toBe('(@00101,00205)');
    // Row 0 on HI, column 0 on LO: the SMU sees cell 0.
    expect(sim.instrument.cellConnected).toBe(true);
    expect(sim.instrument.cellIndex).toBe(0);
    // A hot switch: the output on, then the relays move. The matrix's log catches it.
    sim.instrument.setOutput(true);
    await raw(matrix.port, [':ROUT:OPEN:CARD ALL', '*OPC?']);
    sim.instrument.setOutput(false);
    expect(matrix.matrix.violations).toHaveLength(1);
    expect(sim.instrument.cellConnected).toBe(false);
    matrix.matrix.violations.length = 0;
  });

  it('selecting a cell with the output on switches it off and confirms before any relay moves', async () => {
    const smu = await connectInstrument(sim.resource, {
      matrix: { resource: matrix.resource, wiring: WIRING },
    });
    try {
      expect(smu).toBeInstanceOf(RoutedSmu);
      expect(smu.driver).toMatch(/via B2200A/);
      await smu.configure({ compliance: 1e-4, nplc: 0.1 });
      await smu.setVoltage(0.1);
      await smu.output(true);
      expect(await smu.outputState()).toBe(true);
      await smu.selectCell(9);
      expect(await smu.outputState()).toBe(false);
      expect(matrix.matrix.violations).toEqual([]);
      expect(sim.instrument.cellIndex).toBe(9);
      // Open circuit (no cell connected) measures no current; the cell measures its own.
      await smu.output(true);
      const m = await smu.measure();
      expect(m.i).toBeGreaterThan(0);
      const settings = await smu.settings();
      expect(settings.switchMatrix).toMatchObject({ model: 'B2200A', closed: '(@00103,00206)' });
      // A cell the wiring does not reach is refused before anything moves.
      const moves = matrix.matrix.moves;
      await expect(smu.selectCell(16)).rejects.toThrow(/cells 0–15/);
      expect(matrix.matrix.moves).toBe(moves);
    } finally {
      await smu.close();
    }
    // Closing leaves every crosspoint open, the output off.
    expect(matrix.matrix.paths()).toEqual([]);
    expect(sim.instrument.output).toBe(false);
    expect(matrix.matrix.violations).toEqual([]);
  });

  it('a queue over 16 cells (form, then a pulse train) runs through the matrix with 0 relay moves under bias', async () => {
    const events = new EventHub();
    const services: Services = createServices({ mode: 'browser', events, dbPath: tempDbPath() });
    try {
      // As the page and the API send it: parsed by the declared schema, defaults filled in.
      const status = await services.handlers['instrument.connect'](
        ConnectRequest.parse({
          kind: 'resource',
          resource: sim.resource,
          matrix: matrix.resource,
          matrixRows: 4,
          matrixColumns: 4,
        }),
      );
      expect(status.driver).toMatch(/via B2200A/);
      // The die map reaches what the matrix is wired to.
      expect(status.dieCells).toBe(16);
      const movesBefore = matrix.matrix.moves;
      const ended = queueEnd(events);
      await services.handlers['queue.start']({
        recipe: {
          schemaVersion: 1,
          name: '16 cells through a matrix',
          cells: '0-15',
          onFailure: 'retry-then-skip',
          retries: 1,
          cellGuard: 'skip',
          steps: [
            { params: { procedure: 'forming', maxVoltage: 5, compliance: 1e-4 } },
            { params: { procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, pulses: 4, cycles: 1 } },
          ],
        },
      });
      const view = await ended;
      expect(view.status).toBe('completed');
      expect(view.steps.every((s) => s.status === 'completed')).toBe(true);
      // Every cell of the die was formed by its own runs: the matrix routed each to its cell.
      expect(sim.instrument.die.cells.map((c) => c.state)).toEqual(Array(16).fill('formed'));
      const runs = services.store.runs.listRuns(100);
      for (const run of runs) {
        const settings = services.store.runs.runSettings(run.id);
        const routed = (settings as { switchMatrix?: { closed: string } }).switchMatrix;
        expect(routed?.closed).toBe(toChannelList(cellPaths(WIRING, run.cell!)));
      }
      // One move per cell at least (a step on the same cell keeps its relays), none under bias.
      expect(matrix.matrix.moves - movesBefore).toBeGreaterThanOrEqual(16);
      expect(matrix.matrix.violations).toEqual([]);
    } finally {
      await services.dispose();
    }
  }, 240_000);
});
