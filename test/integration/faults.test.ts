import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { outputIsOn, startSim } from '../helpers/sim';

/** A control connection to the virtual SMU that injects a fault into the other connections. */
async function control(port: number): Promise<{ send: (command: string) => void; close: () => void }> {
  const socket = new Socket();
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  return { send: (command) => socket.write(`${command}\n`), close: () => socket.destroy() };
}

const TRAIN = ProcedureParams.parse({
  procedure: 'pulse-train',
  maxVoltage: 2,
  compliance: 1e-3,
  pulses: 40,
  cycles: 5,
});

describe('bad replies, silence and dropped links leave a typed error and the output off', () => {
  let sim: SimServer;
  afterEach(() => sim?.close());

  async function formedConnection(timeoutMs = 800) {
    // The 2450 keeps its output on between readings (pulses switch it in the trigger model), so a
    // fault armed after a reading hits a live source.
    sim = await startSim({ seed: 4, model: '2450' });
    const connection = await connectInstrument(sim.resource, { timeoutMs });
    const formed = await runProcedure(
      connection,
      ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance: 1e-3 }),
    );
    expect(formed.status).toBe('completed');
    return connection;
  }

  /** Arms `fault` once the run has streamed `after` points, while the output is on. */
  async function runWithFault(fault: string, after = 30) {
    const connection = await formedConnection();
    const ctl = await control(sim.port);
    let outputWasOn = false;
    let armed = false;
    const result = await runProcedure(connection, TRAIN, {
      onPoint: (p) => {
        if (!armed && p.seq >= after && p.kind === 'read') {
          armed = true;
          outputWasOn = sim.instrument.output;
          ctl.send(`:SIM:FAULT ${fault}`);
        }
      },
    });
    // The fault is cleared before we look, so the check uses a healthy link.
    ctl.send(':SIM:FAULT NONE');
    await new Promise((r) => setTimeout(r, 50));
    const on = await outputIsOn(sim.port);
    ctl.close();
    await connection.close();
    return { result, on, outputWasOn };
  }

  it('garbage replies: SCPI_PARSE error naming the command, output off', async () => {
    const { result, on, outputWasOn } = await runWithFault('GARBAGE');
    expect(outputWasOn).toBe(true);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('SCPI_PARSE');
    // A reading (:READ?) or a pulse's reading from the trigger model's buffer (:TRAC:DATA?).
    expect(result.error?.message).toMatch(/Malformed reply to '(:READ|:TRAC:DATA)\?/);
    expect(on).toBe(false);
  });

  it('an instrument that stalls: the run fails on the timeout, "off" is sent first but reported unconfirmed, and it is off once the instrument resumes', async () => {
    const { result, on, outputWasOn } = await runWithFault('HANG');
    expect(outputWasOn).toBe(true);
    expect(result.status).toBe('failed');
    // The user is told the truth: the off could not be confirmed while the instrument was stalled.
    expect(result.error?.code).toBe('SAFETY');
    expect(result.error?.message).toMatch(
      /No reply to '(:READ|\*WAI;:TRAC:DATA)\?[^]*"Output off" was sent[^]*did not confirm it/,
    );
    expect((result.error?.details?.cause as { code: string }).code).toBe('TIMEOUT');
    // Resumed, the instrument runs its backlog: the "off" was written, not dropped.
    expect(on).toBe(false);
    expect(sim.instrument.output).toBe(false);
  });

  it('a connection dropped mid-procedure: CONNECTION_LOST, output switched off over a new link', async () => {
    const connection = await formedConnection();
    // Keep the output on between readings so the drop happens with the source live.
    const ctl = await control(sim.port);
    let armed = false;
    const result = await runProcedure(connection, TRAIN, {
      onPoint: (p) => {
        if (!armed && p.seq >= 30) {
          armed = true;
          sim.instrument.setOutput(true);
          ctl.send(':SIM:FAULT DROP');
        }
      },
    });
    ctl.send(':SIM:FAULT NONE');
    ctl.close();
    expect(result.status).toBe('failed');
    expect(result.error?.code, result.error?.message).toBe('CONNECTION_LOST');
    expect(await outputIsOn(sim.port)).toBe(false);
  });

  it('an unreachable instrument after the drop: a SAFETY error telling the user to act', async () => {
    const connection = await formedConnection();
    let armed = false;
    const result = await runProcedure(connection, TRAIN, {
      onPoint: (p) => {
        if (!armed && p.seq >= 10) {
          armed = true;
          sim.instrument.setOutput(true);
          void sim.close(); // the instrument disappears entirely: no reconnect is possible
        }
      },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('SAFETY');
    expect(result.error?.message).toMatch(/Turn the output off at the instrument/);
  });

  it('a resource nobody listens on: a TRANSPORT error at connect', async () => {
    await expect(connectInstrument('TCPIP::127.0.0.1::1::SOCKET', { timeoutMs: 500 })).rejects.toMatchObject({
      code: 'TRANSPORT',
    });
    await expect(connectInstrument('ASRL/dev/does-not-exist::INSTR')).rejects.toMatchObject({
      code: 'TRANSPORT',
    });
    await expect(connectInstrument('GPIB0::99::INSTR')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('a |V| above the run maximum is refused before it is sent', async () => {
    const connection = await formedConnection();
    sim.instrument.peakLevel = 0;
    const result = await runProcedure(connection, { ...TRAIN, setV: 2.5, maxVoltage: 2 } as typeof TRAIN);
    expect(result.error?.code).toBe('SAFETY');
    // The instrument's own record: nothing above 2 V was ever programmed.
    expect(sim.instrument.peakLevel).toBeLessThanOrEqual(2);
    expect(await outputIsOn(sim.port)).toBe(false);
    await connection.close();
  });
});

describe('a run starts from a known state, whatever the last user left', () => {
  it('switches the output off and confirms it before configuring, reads the old errors before *CLS, then resets', async () => {
    const trace: string[] = [];
    const sim = await startSim({ seed: 5, model: '2450', trace: (_c, line) => trace.push(line) });
    try {
      // A crashed session left the output on at 1 V, and an error in the queue.
      const leftover = new Socket();
      await new Promise<void>((resolve) => leftover.connect(sim.port, '127.0.0.1', resolve));
      leftover.write(':SOUR:VOLT 1\n:OUTP ON\n:BOGUS\n');
      await new Promise((r) => setTimeout(r, 50));
      leftover.destroy();
      expect(sim.instrument.output).toBe(true);
      trace.length = 0;

      const connection = await connectInstrument(sim.resource);
      const logs: string[] = [];
      const result = await runProcedure(
        connection,
        ProcedureParams.parse({ procedure: 'read', maxVoltage: 1, compliance: 1e-4, count: 1, cell: 2 }),
        { log: (m) => logs.push(m) },
      );
      await connection.close();
      expect(result.status).toBe('completed');
      // *IDN? and *LANG? identify; then output off, confirmed, before anything is configured.
      expect(trace.slice(0, 7)).toEqual([
        '*IDN?',
        '*LANG?',
        ':OUTP OFF',
        ':OUTP?',
        ':SYST:ERR?',
        ':SYST:ERR?',
        '*RST',
      ]);
      expect(trace.indexOf(':SIM:CELL 2')).toBeGreaterThan(trace.indexOf(':OUTP OFF'));
      expect(trace.indexOf(':SOUR:VOLT:ILIM 0.0001')).toBeLessThan(trace.indexOf(':OUTP ON'));
      expect(result.summary.previousErrors).toEqual([{ code: -113, message: 'Undefined header' }]);
      expect(logs.join('\n')).toMatch(/errors waiting from before this run: -113,"Undefined header"/);
    } finally {
      await sim.close();
    }
  });
});
