import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { levelTableFromPulseTrain } from '../../src/shared/levels/extract';
import { ProcedureParams } from '../../src/shared/procedures';
import type { Point } from '../../src/shared/run';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { outputIsOn, spawnSim } from '../helpers/sim';

// The serial path for real: `reram-bench sim-smu --pty` puts the 2400 dialect on a socat pty, and
// the app opens it through serialport (termios, line discipline and all).
describe.each([
  { term: 'LF', baudRate: 9600, flow: 'none' },
  { term: 'CR', baudRate: 19200, flow: 'xonxoff' },
] as const)(
  'Keithley 2400 over a real pty, terminator $term, $flow flow control',
  ({ term, baudRate, flow }) => {
    let sim: Awaited<ReturnType<typeof spawnSim>>;
    beforeAll(async () => {
      sim = await spawnSim(['--pty', '--term', term, '--time-scale', '0', '--seed', '5']);
    });
    afterAll(() => sim.stop());

    it('identifies, forms, reads, and runs a pulse train and write-verify', async () => {
      const serial = { baudRate, flow };
      // The 2400 executes on CR whatever its TERMINATOR menu says; the menu sets only its replies.
      const connection = await connectInstrument(sim.pty!, {
        writeTerminator: 'CR',
        readTerminator: term,
        serial,
      });
      try {
        expect(connection.identity.model).toBe('2400');
        expect(connection.resource).toMatch(/^ASRL/);
        const run = async (raw: Record<string, unknown>) => {
          const points: Point[] = [];
          const result = await runProcedure(
            connection,
            ProcedureParams.parse({ maxVoltage: 5, compliance: 1e-3, ...raw }),
            { onPoint: (p) => points.push(p) },
          );
          expect(result.error).toBeUndefined();
          expect(await outputIsOn(sim.port)).toBe(false);
          return { points, result };
        };
        const read = await run({ procedure: 'read', count: 2 });
        expect(read.points).toHaveLength(2);
        expect((await run({ procedure: 'forming' })).result.summary.formed).toBe(true);
        const train = await run({ procedure: 'pulse-train', pulses: 20, cycles: 2, maxVoltage: 2 });
        const table = levelTableFromPulseTrain(train.points, 2, {
          name: 'pty',
          provenance: { runIds: [], createdAt: '', softwareVersion: 'test' },
        });
        expect(table.levels).toHaveLength(4);
        const verify = await run({ procedure: 'write-verify', levels: 3, repeats: 2, maxVoltage: 2.5 });
        expect(verify.points.filter((p) => p.kind === 'final').length).toBeGreaterThanOrEqual(5);
      } finally {
        await connection.close();
      }
    });
  },
);
