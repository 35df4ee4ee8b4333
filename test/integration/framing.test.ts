import fc from 'fast-check';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import { ScpiSession } from '../../src/main/instrument/scpi/session';
import { TcpTransport } from '../../src/main/instrument/transport/tcp';
import { rawQuery, startSim } from '../helpers/sim';

/** A TCP peer that answers "Q<n>?" with a known reply, cut at the byte boundaries the test chooses. */
function splittingServer(splits: { current: number[] }): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      let buffer = '';
      socket.on('data', async (chunk) => {
        buffer += chunk.toString();
        let index;
        while ((index = buffer.indexOf('\n')) >= 0) {
          const command = buffer.slice(0, index);
          buffer = buffer.slice(index + 1);
          const reply = Buffer.from(
            `${command.replace('?', '')}:+1.234567E-05,-9.876543E+00;"text, with; separators"\n`,
          );
          let offset = 0;
          for (const cut of [...splits.current, reply.length].sort((a, b) => a - b)) {
            const end = Math.min(cut, reply.length);
            if (end > offset) {
              socket.write(reply.subarray(offset, end));
              offset = end;
              await new Promise((r) => setImmediate(r));
            }
          }
        }
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('SCPI framing', () => {
  const splits = { current: [] as number[] };
  let server: Server;
  let session: ScpiSession;
  beforeAll(async () => {
    server = await splittingServer(splits);
    session = new ScpiSession(new TcpTransport('127.0.0.1', (server.address() as AddressInfo).port), {
      timeoutMs: 2000,
    });
    await session.open();
  });
  afterAll(async () => {
    await session.close();
    server.close();
  });

  it('reassembles replies split at any byte boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 70 }), { maxLength: 12 }),
        fc.integer({ min: 0, max: 999 }),
        async (cuts, n) => {
          splits.current = cuts;
          expect(await session.query(`Q${n}?`)).toBe(
            `Q${n}:+1.234567E-05,-9.876543E+00;"text, with; separators"`,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps replies in order when queries are issued concurrently (one command in flight)', async () => {
    splits.current = [3, 9, 17];
    const replies = await Promise.all(Array.from({ length: 20 }, (_, k) => session.query(`Q${k}?`)));
    replies.forEach((reply, k) => expect(reply.startsWith(`Q${k}:`)).toBe(true));
  });
});

describe('a whole procedure with the virtual SMU chunking every reply', () => {
  it('runs a pulse train unchanged', async () => {
    const sim = await startSim({ seed: 3 });
    try {
      await rawQuery(sim.port, [':SIM:CHUNK 7']);
      const connection = await connectInstrument(sim.resource);
      const formed = await runProcedure(
        connection,
        ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3 }),
      );
      expect(formed.status).toBe('completed');
      const result = await runProcedure(
        connection,
        ProcedureParams.parse({
          procedure: 'pulse-train',
          maxVoltage: 2,
          compliance: 1e-3,
          pulses: 10,
          cycles: 1,
        }),
      );
      expect(result.status).toBe('completed');
      expect(result.points).toBe(10 + 2 * (1 + 2 * 10));
      await connection.close();
    } finally {
      await sim.close();
    }
  });
});
