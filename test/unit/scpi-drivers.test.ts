/**
 * Wire-level driver tests (PyMeasure's ProtocolAdapter idea): a transport that replays expected
 * (sent, reply) pairs, so each driver's exact SCPI is pinned down. Replies are what the real
 * instruments send, per their manuals. The same drivers run against the virtual SMU over real
 * TCP and ptys in test/integration.
 */
import { describe, expect, it } from 'vitest';
import { KeysightB2900 } from '../../src/main/instrument/models/b2900/driver';
import { Keithley2400 } from '../../src/main/instrument/models/k2400/driver';
import { Keithley2450 } from '../../src/main/instrument/models/k2450/driver';
import { driverEntryFor } from '../../src/main/instrument/models/registry';
import { parseIdn } from '../../src/main/instrument/scpi/idn';
import { ScpiSession, parseNumbers } from '../../src/main/instrument/scpi/session';
import type { Transport, TransportHandlers } from '../../src/main/instrument/transport/transport';

type Step = [sent: string, reply: string | null];

class ProtocolTransport implements Transport {
  readonly kind = 'tcp' as const;
  readonly resource = 'TCPIP::protocol::5025::SOCKET';
  readonly allowsSecondLink = false;
  isOpen = false;
  private handlers: TransportHandlers | undefined;
  private step = 0;
  readonly sent: string[] = [];
  constructor(private readonly script: Step[]) {}
  async open(handlers: TransportHandlers) {
    this.handlers = handlers;
    this.isOpen = true;
  }
  async write(data: Buffer) {
    const sent = data.toString('latin1').replace(/\n$/, '');
    this.sent.push(sent);
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

async function withScript(script: Step[]) {
  const transport = new ProtocolTransport(script);
  const session = new ScpiSession(transport, { timeoutMs: 500 });
  await session.open();
  return { transport, session };
}

const K2400_IDN = parseIdn(
  'KEITHLEY INSTRUMENTS INC.,MODEL 2400,1234567,C30   Mar 17 2006 09:29:29/A02  /K/J',
);
const K2450_IDN = parseIdn('KEITHLEY INSTRUMENTS,MODEL 2450,04096331,1.6.4c');
const B2900_IDN = parseIdn('Keysight Technologies,B2901B,MY1,5.0');
const virtual = { virtual: false };

/** Output off and confirmed, the previous user's errors read before *RST and *CLS, line frequency. */
const PREPARE = (lineFrequency = '50'): Step[] => [
  [':OUTP OFF', null],
  [':OUTP?', '0'],
  [':SYST:ERR?', '-113,"Undefined header"'],
  [':SYST:ERR?', '0,"No error"'],
  ['*RST', null],
  ['*CLS', null],
  ['*OPC?', '1'],
  [':SYST:LFR?', lineFrequency],
];

const K2400_CONFIGURE: Step[] = [
  [':SOUR:FUNC VOLT', null],
  [':SOUR:VOLT:MODE FIX', null],
  [':SOUR:VOLT:RANG:AUTO ON', null],
  [':SENS:FUNC:CONC ON', null],
  [':SENS:FUNC "VOLT","CURR"', null],
  [':FORM:ELEM VOLT,CURR,RES,TIME,STAT', null],
  [':SENS:CURR:PROT 0.001', null],
  [':SENS:CURR:RANG:AUTO ON', null],
  [':SENS:CURR:NPLC 1', null],
  [':SYST:AZER ON', null],
  [':SENS:AVER OFF', null],
  [':SYST:RSEN ON', null],
  [':ROUT:TERM REAR', null],
  [':ARM:COUN 1', null],
  [':TRIG:COUN 1', null],
  [':TRIG:DEL 0', null],
  [':SOUR:DEL 0', null],
  [':OUTP:SMOD ZERO', null],
  [':SOUR:CLE:AUTO ON', null],
  [':SOUR:VOLT:LEV 0', null],
  [':SYST:ERR?', '0,"No error"'],
];

describe('IDN and driver selection', () => {
  it('parses make, model, serial and firmware', () => {
    expect(K2400_IDN).toMatchObject({ make: 'KEITHLEY INSTRUMENTS INC.', model: '2400', serial: '1234567' });
    expect(K2400_IDN.firmware).toContain('C30');
    expect(parseIdn('Keysight Technologies,B2902A,MY51140123,3.4.2011.5100').model).toBe('B2902A');
  });

  it('picks the driver from the model and names unsupported instruments', () => {
    expect(driverEntryFor(K2400_IDN).model).toBe('2400');
    expect(driverEntryFor(parseIdn('KEITHLEY INSTRUMENTS INC.,MODEL 2410,1,C')).model).toBe('2400');
    expect(driverEntryFor(K2450_IDN).model).toBe('2450');
    expect(driverEntryFor(parseIdn('Agilent Technologies,B2901A,MY1,2.0')).model).toBe('b2900');
    for (const smu of ['B2902B', 'B2910BL', 'B2911A', 'B2912B'])
      expect(driverEntryFor(parseIdn(`Keysight Technologies,${smu},MY1,5.0`)).model).toBe('b2900');
    // Same prefix, not SMUs: the electrometers and the low-noise power sources are refused by name.
    for (const other of ['B2981A', 'B2983B', 'B2985B', 'B2987B'])
      expect(() => driverEntryFor(parseIdn(`Keysight Technologies,${other},MY1,2.0`))).toThrow(
        /electrometer, not a source-measure unit/,
      );
    expect(() => driverEntryFor(parseIdn('Keysight Technologies,B2962B,MY1,2.0'))).toThrow(
      /power source, not a source-measure unit/,
    );
    // The 2600B speaks TSP: its own driver, on both the one- and two-channel models.
    for (const tsp of ['2636B', '2602B', '2611B', '2601B', '2635A'])
      expect(driverEntryFor(parseIdn(`Keithley Instruments Inc., Model ${tsp}, 1, 3.2.2`)).model).toBe(
        '2600',
      );
    expect(() => driverEntryFor(parseIdn('Keithley Instruments Inc., Model 2651A, 1, 1.0'))).toThrow(
      /No driver/,
    );
    expect(() => driverEntryFor(parseIdn('Rigol,DP832,1,1'))).toThrow(/No driver/);
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
  it('starts from output off and a reset, sets compliance before sourcing, measures V and I concurrently', async () => {
    const { transport, session } = await withScript([
      ...PREPARE(),
      ...K2400_CONFIGURE,
      // A read: VOLT is the measured terminal voltage; STAT bit 3 = compliance.
      [':SOUR:VOLT:LEV 0.1', null],
      [':READ?', '+9.980000E-02,+2.000000E-06,+9.910000E+37,+1.300000E+00,+4.194304E+06'],
      // pulse(1.5 V, 1 ms) at 50 Hz, Appendix A Case III: current only, auto-zero off, 0.01 PLC;
      // 50 µs + 200 µs + 185 µs + 300 µs = 735 µs on, and a 265 µs source delay fills the width.
      [':SENS:FUNC:OFF "VOLT"', null],
      [':SENS:CURR:NPLC 0.01', null],
      [':SYST:AZER OFF', null],
      [':SOUR:DEL 0.000265', null],
      [':SOUR:VOLT:LEV 1.5', null],
      [':READ?', '+1.234000E+00,+1.050000E-04,+9.910000E+37,+1.400000E+00,+4.194312E+06'],
      [':SOUR:VOLT:LEV 0', null],
    ]);
    const smu = new Keithley2400(session, K2400_IDN, virtual);
    expect(await smu.prepare()).toEqual([{ code: -113, message: 'Undefined header' }]);
    await smu.configure({ compliance: 1e-3, nplc: 1, sense: '4w', terminals: 'rear' });
    await smu.setVoltage(0.1);
    expect(await smu.measure()).toEqual({
      vSource: 0.1,
      v: 0.0998,
      i: 2e-6,
      compliance: false,
      rangeCompliance: false,
      overflow: false,
      time: 1.3,
    });
    const pulse = await smu.pulse(1.5, 1e-3);
    // V is not measured in a pulse (current only): the VOLT field is the programmed level, not kept.
    expect(pulse).toMatchObject({ vSource: 1.5, v: null, i: 1.05e-4, compliance: true });
    // An estimate from the manual's terms, not a measurement: basis "model".
    expect(pulse.width).toEqual({
      nominal: 1e-3,
      achieved: expect.closeTo(1e-3, 9) as number,
      basis: 'model',
    });
    transport.done();
  });

  it('never turns 9.9E37 (overflow) or 9.91E37 (no data) into a reading, and reads status bits 0 and 16', async () => {
    const { session } = await withScript([
      ...PREPARE(),
      ...K2400_CONFIGURE.map(([c, r]): Step => [
        c.replace(':SYST:RSEN ON', ':SYST:RSEN OFF').replace('REAR', 'FRON'),
        r,
      ]),
      [':READ?', '+1.000000E-01,+9.900000E+37,+9.910000E+37,+1.000000E+00,+6.553700E+04'],
      [':READ?', '+9.910000E+37,+1.000000E-06,+9.910000E+37,+1.100000E+00,+0.000000E+00'],
    ]);
    const smu = new Keithley2400(session, K2400_IDN, virtual);
    await smu.prepare();
    await smu.configure({ compliance: 1e-3, nplc: 1 });
    expect(await smu.measure()).toMatchObject({ v: 0.1, i: null, overflow: true, rangeCompliance: true });
    expect(await smu.measure()).toMatchObject({ v: null, i: 1e-6, overflow: false });
  });

  it('refuses out-of-range settings and impossible pulse widths before sending them', async () => {
    const { session, transport } = await withScript([
      ...PREPARE(),
      ...K2400_CONFIGURE.slice(0, -1).map(([c, r]): Step => [
        c.replace(':SYST:RSEN ON', ':SYST:RSEN OFF').replace('REAR', 'FRON'),
        r,
      ]),
      [':SYST:ERR?', '0,"No error"'],
    ]);
    const smu = new Keithley2400(session, K2400_IDN, virtual);
    await smu.prepare();
    await smu.configure({ compliance: 1e-3, nplc: 1 });
    await expect(smu.setVoltage(250)).rejects.toMatchObject({ code: 'OUT_OF_RANGE' });
    // Shortest 2400 pulse at 50 Hz (Case III): 50 µs + 0.01 PLC + 185 µs + 300 µs = 735 µs.
    await expect(smu.pulse(1, 0.5e-3)).rejects.toThrow(/500 µs pulse is outside .* \(735 µs to/);
    transport.done();
  });

  it('surfaces the instrument error queue with its own text', async () => {
    const { session } = await withScript([
      ...PREPARE('60'),
      ...K2400_CONFIGURE.slice(0, -1).map(([c, r]): Step => [
        c.replace(':SYST:RSEN ON', ':SYST:RSEN OFF').replace('REAR', 'FRON'),
        r,
      ]),
      [':SYST:ERR?', '-221,"Settings conflict"'],
      [':SYST:ERR?', '0,"No error"'],
    ]);
    const smu = new Keithley2400(session, K2400_IDN, virtual);
    await smu.prepare();
    await expect(smu.configure({ compliance: 1e-3, nplc: 1 })).rejects.toThrow('-221,"Settings conflict"');
  });

  it('makes a true DC staircase with the list hardware, output on throughout', async () => {
    const { transport, session } = await withScript([
      ...PREPARE(),
      ...K2400_CONFIGURE.map(([c, r]): Step => [
        c.replace(':SYST:RSEN ON', ':SYST:RSEN OFF').replace('REAR', 'FRON'),
        r,
      ]),
      [':SOUR:DEL 0.005', null],
      [':SOUR:CLE:AUTO OFF', null],
      [':SOUR:LIST:VOLT 0,0.5,1', null],
      [':SOUR:VOLT:MODE LIST', null],
      [':TRIG:COUN 3', null],
      [':OUTP ON', null],
      [
        ':READ?',
        '+0.0E+00,+0.0E+00,+9.91E+37,+1.0E+00,+0.0E+00,+5.0E-01,+5.0E-06,+9.91E+37,+1.1E+00,+0.0E+00,+1.0E+00,+1.0E-05,+9.91E+37,+1.2E+00,+0.0E+00',
      ],
      [':SOUR:VOLT:MODE FIX', null],
      [':TRIG:COUN 1', null],
      [':SOUR:VOLT:LEV 0', null],
      [':SOUR:CLE:AUTO ON', null],
      [':OUTP OFF', null],
    ]);
    const smu = new Keithley2400(session, K2400_IDN, virtual);
    await smu.prepare();
    await smu.configure({ compliance: 1e-3, nplc: 1 });
    const steps = await smu.list([0, 0.5, 1], 0.005);
    expect(steps.map((m) => [m.vSource, m.v, m.i])).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 5e-6],
      [1, 1, 1e-5],
    ]);
    transport.done();
  });
});

describe('Keithley 2450 wire protocol', () => {
  it('refuses a 2450 in another command set, saying how to switch it', async () => {
    const { session } = await withScript([['*LANG?', 'SCPI2400']]);
    await expect(Keithley2450.checkLanguage(session)).rejects.toThrow(
      /SCPI2400 command set.*Command Set > SCPI.*power cycle/s,
    );
  });

  it('ILIM compliance, measured source readback, and the source-status "limited" bit on every reading', async () => {
    const { transport, session } = await withScript([
      ...PREPARE(),
      [':SOUR:FUNC VOLT', null],
      [':SENS:FUNC "CURR"', null],
      [':SOUR:VOLT:RANG:AUTO ON', null],
      [':SOUR:VOLT:READ:BACK ON', null],
      [':SOUR:VOLT:ILIM 0.0001', null],
      [':SENS:CURR:RANG:AUTO ON', null],
      [':SENS:CURR:NPLC 1', null],
      [':SENS:CURR:AZER ON', null],
      [':SENS:CURR:AVER OFF', null],
      [':SENS:CURR:RSEN OFF', null],
      [':ROUT:TERM FRON', null],
      [':SOUR:VOLT:DEL:AUTO OFF', null],
      [':SOUR:VOLT:DEL 0', null],
      [':OUTP:SMOD ZERO', null],
      [':TRAC:CLE "defbuffer1"', null],
      [':SOUR:VOLT 0', null],
      [':SYST:ERR?', '0,"No error"'],
      [':SOUR:VOLT 0.1', null],
      [
        ':READ? "defbuffer1", SOUR, READ, REL, SOURSTAT',
        '+9.990000E-02,+1.000000E-06,+2.000000E-01,+1.360000E+02',
      ],
      [':SOUR:VOLT 2', null],
      [
        ':READ? "defbuffer1", SOUR, READ, REL, SOURSTAT',
        '+1.500000E+00,+1.000000E-04,+3.000000E-01,+1.680000E+02',
      ],
      // pulse(1.5 V, 2 ms) at 50 Hz in the trigger model: the level set with the output off, then
      // source on, a 0.9 ms delay, a 0.03 PLC reading (+0.5 ms overhead), source off.
      [':SOUR:VOLT 0', null],
      [':OUTP ON', null],
      [':SENS:CURR:NPLC 0.03', null],
      [':OUTP OFF', null],
      [':SOUR:VOLT 1.5', null],
      [':TRIG:LOAD "Empty"', null],
      [':TRIG:BLOC:SOUR:STAT 1, ON', null],
      [':TRIG:BLOC:MEAS 3, "defbuffer1", 1', null],
      [':TRIG:BLOC:SOUR:STAT 4, OFF', null],
      [':TRIG:BLOC:DEL:CONS 2, 0.0009', null],
      [':TRAC:CLE "defbuffer1";:INIT', null],
      [
        '*WAI;:TRAC:DATA? 1, 1, "defbuffer1", SOUR, READ, REL, SOURSTAT',
        '+1.499000E+00,+2.000000E-05,+4.000000E-01,+1.360000E+02',
      ],
      [':SOUR:VOLT 0', null],
      [':OUTP ON', null],
    ]);
    const smu = new Keithley2450(session, K2450_IDN, virtual);
    await smu.prepare();
    await smu.configure({ compliance: 1e-4, nplc: 1 });
    await smu.setVoltage(0.1);
    expect(await smu.measure()).toMatchObject({ vSource: 0.1, v: 0.0999, i: 1e-6, compliance: false });
    await smu.setVoltage(2);
    expect(await smu.measure()).toMatchObject({ vSource: 2, v: 1.5, i: 1e-4, compliance: true });
    await smu.setVoltage(0);
    await smu.output(true);
    expect(await smu.pulse(1.5, 2e-3)).toMatchObject({
      vSource: 1.5,
      v: 1.499,
      i: 2e-5,
      width: { nominal: 2e-3, achieved: expect.closeTo(2e-3, 9) as number, basis: 'model' },
    });
    transport.done();
  });
});

describe('Keysight B2900 wire protocol', () => {
  it('puts the channel in the header, sets every output behaviour, and measures at the top of a hardware pulse', async () => {
    const { transport, session } = await withScript([
      ...PREPARE(),
      [':SOUR:FUNC:MODE VOLT', null],
      [':SOUR:FUNC:SHAP DC', null],
      [':SOUR:VOLT:RANG:AUTO ON', null],
      [':SENS:FUNC "CURR","VOLT"', null],
      [':FORM:ELEM:SENS VOLT,CURR,TIME,STAT', null],
      [':SENS:CURR:PROT 0.001', null],
      [':SENS:CURR:RANG:AUTO ON', null],
      [':SENS:CURR:APER 0.02', null],
      [':SENS:REM OFF', null],
      [':TRIG:SOUR AINT', null],
      [':TRIG:COUN 1', null],
      [':ARM:COUN 1', null],
      [':SOUR:PULS:DEL 0', null],
      [':TRIG:ACQ:DEL 0', null],
      [':OUTP:PROT OFF', null],
      [':OUTP:OFF:AUTO OFF', null],
      [':OUTP:OFF:MODE ZERO', null],
      [':SOUR:VOLT 0', null],
      [':SYST:ERR?', '0,"No error"'],
      // 100 µs pulse: 45 µs aperture ending at 95 µs (acquire delay 50 µs), then wait for the trigger system.
      [':SOUR:FUNC:SHAP PULS', null],
      [':SOUR:PULS:WIDT 0.0001', null],
      [':SOUR:VOLT:TRIG -1.2', null],
      [':SENS:CURR:APER 0.000045', null],
      [':TRIG:ACQ:DEL 0.00005', null],
      [':INIT (@1)', null],
      ['*OPC?', '1'],
      [':FETC? (@1)', '-1.199000E+00,-3.000000E-05,+1.000000E-03,+2.000000E+00'],
    ]);
    const smu = new KeysightB2900(session, B2900_IDN, virtual);
    await smu.prepare();
    await smu.configure({ compliance: 1e-3, nplc: 1 });
    expect(await smu.pulse(-1.2, 100e-6)).toEqual({
      vSource: -1.2,
      v: -1.199,
      i: -3e-5,
      compliance: true,
      rangeCompliance: false,
      overflow: false,
      time: 1e-3,
      width: { nominal: 100e-6, achieved: 100e-6, basis: 'hardware' },
    });
    expect(transport.sent.some((c) => /\(@1\)/.test(c) && !/^:(INIT|FETC|MEAS)/.test(c))).toBe(false);
    transport.done();
  });

  it('has rear terminals only', async () => {
    const { session } = await withScript([...PREPARE()]);
    const smu = new KeysightB2900(session, B2900_IDN, virtual);
    await smu.prepare();
    await expect(smu.configure({ compliance: 1e-3, nplc: 1, terminals: 'front' })).rejects.toThrow(
      /no front terminals/,
    );
  });
});
