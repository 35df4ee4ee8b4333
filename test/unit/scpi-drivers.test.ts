/**
 * Wire-level driver tests (PyMeasure's ProtocolAdapter idea): a transport that replays expected
 * (sent, reply) pairs, so each driver's exact SCPI is pinned down. The same drivers run against
 * the virtual SMU over real TCP and ptys in test/integration.
 */
import { describe, expect, it } from 'vitest';
import { KeysightB2900 } from '../../src/main/instrument/drivers/b2900';
import { Keithley2400 } from '../../src/main/instrument/drivers/k2400';
import { Keithley2450 } from '../../src/main/instrument/drivers/k2450';
import { driverFor } from '../../src/main/instrument/connect';
import { parseIdn } from '../../src/main/instrument/scpi/idn';
import { ScpiSession, parseNumbers } from '../../src/main/instrument/scpi/session';
import type { Transport, TransportHandlers } from '../../src/main/instrument/transport/transport';

class ProtocolTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly resource = 'TCPIP::protocol::5025::SOCKET';
  isOpen = false;
  private handlers: TransportHandlers | undefined;
  private step = 0;
  constructor(private readonly script: Array<[string, string | null]>) {}
  async open(handlers: TransportHandlers) {
    this.handlers = handlers;
    this.isOpen = true;
  }
  async write(data: Buffer) {
    const sent = data.toString().replace(/\n$/, '');
    const expected = this.script[this.step++];
    if (!expected) throw new Error(`unexpected extra command '${sent}'`);
    expect(sent).toBe(expected[0]);
    if (expected[1] !== null) queueMicrotask(() => this.handlers!.onData(Buffer.from(`${expected[1]}\n`)));
  }
  async close() {
    this.isOpen = false;
  }
  done() {
    expect(this.step).toBe(this.script.length);
  }
}

async function withScript(script: Array<[string, string | null]>) {
  const transport = new ProtocolTransport(script);
  const session = new ScpiSession(transport, { timeoutMs: 500 });
  await session.open();
  return { transport, session };
}

const K2400_IDN = parseIdn(
  'KEITHLEY INSTRUMENTS INC.,MODEL 2400,1234567,C30   Mar 17 2006 09:29:29/A02  /K/J',
);

describe('IDN and driver selection', () => {
  it('parses make, model, serial and firmware', () => {
    expect(K2400_IDN).toMatchObject({ make: 'KEITHLEY INSTRUMENTS INC.', model: '2400', serial: '1234567' });
    expect(K2400_IDN.firmware).toContain('C30');
    expect(parseIdn('Keysight Technologies,B2902A,MY51140123,3.4.2011.5100').model).toBe('B2902A');
  });

  it('picks the driver from the model and names unsupported instruments', async () => {
    const { session } = await withScript([]);
    expect(driverFor(session, K2400_IDN).driver).toBe('k2400');
    expect(driverFor(session, parseIdn('KEITHLEY INSTRUMENTS INC.,MODEL 2410,1,C')).driver).toBe('k2400');
    expect(driverFor(session, parseIdn('KEITHLEY INSTRUMENTS,MODEL 2450,04096331,1.6.4c')).driver).toBe(
      'k2450',
    );
    expect(driverFor(session, parseIdn('Agilent Technologies,B2901A,MY1,2.0')).driver).toBe('b2900');
    expect(() => driverFor(session, parseIdn('Keithley Instruments Inc.,Model 2636B,1,3.2.2'))).toThrow(
      /TSP/,
    );
    expect(() => driverFor(session, parseIdn('Rigol,DP832,1,1'))).toThrow(/No driver/);
  });

  it('rejects malformed numeric replies with a typed error', () => {
    expect(() => parseNumbers(':READ?', '+1.0E+00,garbage', { count: 2 })).toThrow(
      /Malformed reply to ':READ\?'/,
    );
    expect(() => parseNumbers(':READ?', '1,2,3', { multipleOf: 5 })).toThrow(/multiple of 5/);
    expect(parseNumbers(':READ?', '+1.000236E+00,-1.0E-04')).toEqual([1.000236, -1e-4]);
  });
});

describe('Keithley 2400 wire protocol', () => {
  it('configures compliance before anything else is sourced, then pulses as a source-delay-measure cycle', async () => {
    const { transport, session } = await withScript([
      [':SOUR:FUNC VOLT', null],
      [':SOUR:VOLT:MODE FIX', null],
      [':SOUR:VOLT:RANG:AUTO ON', null],
      [':SENS:FUNC "CURR"', null],
      [':FORM:ELEM VOLT,CURR,RES,TIME,STAT', null],
      [':SENS:CURR:PROT 0.001', null],
      [':SENS:CURR:RANG:AUTO ON', null],
      [':SENS:CURR:NPLC 1', null],
      [':SOUR:DEL 0', null],
      [':TRIG:COUN 1', null],
      [':SOUR:CLE:AUTO ON', null],
      [':SYST:LFR?', '50'],
      [':SYST:ERR?', '0,"No error"'],
      // pulse(1.5 V, 1 ms): integrate 0.025 PLC (0.5 ms at 50 Hz), delay the rest.
      [':SENS:CURR:NPLC 0.025', null],
      [':SOUR:DEL 0.0005', null],
      [':SOUR:VOLT:LEV 1.5', null],
      [':READ?', '+1.500000E+00,+1.050000E-04,+9.910000E+37,+1.234000E+00,+8.000000E+00'],
      [':SOUR:VOLT:LEV 0', null],
      // read at 0.1 V with the read settings
      [':SOUR:VOLT:LEV 0.1', null],
      [':SENS:CURR:NPLC 1', null],
      [':SOUR:DEL 0', null],
      [':READ?', '+1.000000E-01,+2.000000E-06,+9.910000E+37,+1.300000E+00,+0.000000E+00'],
    ]);
    const smu = new Keithley2400(session, K2400_IDN);
    await smu.configure({ compliance: 1e-3, nplc: 1 });
    expect(await smu.pulse(1.5, 1e-3)).toEqual({ v: 1.5, i: 1.05e-4, compliance: true });
    await smu.setVoltage(0.1);
    expect(await smu.measure()).toEqual({ v: 0.1, i: 2e-6, compliance: false });
    transport.done();
  });

  it('refuses out-of-range settings before sending them', async () => {
    const { session } = await withScript([]);
    const smu = new Keithley2400(session, K2400_IDN);
    await expect(smu.setVoltage(250)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
  });

  it('surfaces the instrument error queue with its own text', async () => {
    const { session } = await withScript([
      [':SOUR:FUNC VOLT', null],
      [':SOUR:VOLT:MODE FIX', null],
      [':SOUR:VOLT:RANG:AUTO ON', null],
      [':SENS:FUNC "CURR"', null],
      [':FORM:ELEM VOLT,CURR,RES,TIME,STAT', null],
      [':SENS:CURR:PROT 0.001', null],
      [':SENS:CURR:RANG:AUTO ON', null],
      [':SENS:CURR:NPLC 1', null],
      [':SOUR:DEL 0', null],
      [':TRIG:COUN 1', null],
      [':SOUR:CLE:AUTO ON', null],
      [':SYST:LFR?', '60'],
      [':SYST:ERR?', '-221,"Settings conflict"'],
      [':SYST:ERR?', '0,"No error"'],
    ]);
    const smu = new Keithley2400(session, K2400_IDN);
    await expect(smu.configure({ compliance: 1e-3, nplc: 1 })).rejects.toThrow('-221,"Settings conflict"');
  });
});

describe('Keithley 2450 and Keysight B2900 wire protocols', () => {
  it('2450: ILIM compliance and defbuffer1 reads; asks TRIP? only at the limit', async () => {
    const { transport, session } = await withScript([
      [':SOUR:FUNC VOLT', null],
      [':SENS:FUNC "CURR"', null],
      [':SOUR:VOLT:RANG:AUTO ON', null],
      [':SOUR:VOLT:READ:BACK ON', null],
      [':SOUR:VOLT:ILIM 0.0001', null],
      [':SENS:CURR:RANG:AUTO ON', null],
      [':SENS:CURR:NPLC 1', null],
      [':SOUR:VOLT:DEL 0', null],
      [':SYST:LFR?', '50'],
      [':SYST:ERR?', '0,"No error"'],
      [':SOUR:VOLT 0.1', null],
      [':READ? "defbuffer1", SOUR, READ, REL', '+1.000000E-01,+1.000000E-06,+2.000000E-01'],
      [':SOUR:VOLT 2', null],
      [':READ? "defbuffer1", SOUR, READ, REL', '+1.500000E+00,+1.000000E-04,+3.000000E-01'],
      [':SOUR:VOLT:ILIM:TRIP?', '1'],
    ]);
    const smu = new Keithley2450(session, parseIdn('KEITHLEY INSTRUMENTS,MODEL 2450,04096331,1.6.4c'));
    await smu.configure({ compliance: 1e-4, nplc: 1 });
    await smu.setVoltage(0.1);
    expect(await smu.measure()).toEqual({ v: 0.1, i: 1e-6, compliance: false });
    await smu.setVoltage(2);
    expect(await smu.measure()).toEqual({ v: 1.5, i: 1e-4, compliance: true });
    transport.done();
  });

  it('B2900: pulses with the pulse hardware and fetches the reading at the top', async () => {
    const { transport, session } = await withScript([
      [':SOUR:FUNC:MODE VOLT', null],
      [':SENS:FUNC "CURR"', null],
      [':SENS:CURR:RANG:AUTO ON', null],
      [':FORM:ELEM:SENS VOLT,CURR', null],
      [':SOUR:PULS:DEL 0', null],
      [':TRIG:COUN 1', null],
      [':SOUR:FUNC:SHAP DC', null],
      [':SENS:CURR:PROT 0.001', null],
      [':SENS:CURR:NPLC 1', null],
      [':SYST:LFR?', '50'],
      [':SYST:ERR?', '0,"No error"'],
      [':SOUR:FUNC:SHAP PULS', null],
      [':SOUR:PULS:WIDT 0.0001', null],
      [':SOUR:VOLT 0', null],
      [':SOUR:VOLT:TRIG -1.2', null],
      [':SENS:CURR:NPLC 0.0025', null],
      [':INIT (@1)', null],
      [':FETC? (@1)', '-1.200000E+00,-3.000000E-05'],
    ]);
    const smu = new KeysightB2900(session, parseIdn('Keysight Technologies,B2901B,MY1,5.0'));
    await smu.configure({ compliance: 1e-3, nplc: 1 });
    expect(await smu.pulse(-1.2, 100e-6)).toEqual({ v: -1.2, i: -3e-5, compliance: false });
    transport.done();
  });
});
