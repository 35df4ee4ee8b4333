/**
 * The SCPI session's own guarantees, driven byte by byte through a link the test controls:
 * "output off" pre-empts a stalled queue, the receive buffer is bounded, and a late reply after a
 * timeout is never taken as the answer to the next query.
 */
import { describe, expect, it } from 'vitest';
import { ScpiSession } from '../../src/main/instrument/scpi/session';
import type { Transport, TransportHandlers } from '../../src/main/instrument/transport/transport';

class ManualLink implements Transport {
  readonly kind = 'serial' as const;
  readonly resource = 'ASRL/dev/ttyTEST::INSTR';
  readonly allowsSecondLink = false;
  isOpen = false;
  readonly sent: string[] = [];
  clears = 0;
  private handlers: TransportHandlers | undefined;
  async open(handlers: TransportHandlers) {
    this.handlers = handlers;
    this.isOpen = true;
  }
  async write(data: Buffer) {
    this.sent.push(data.toString('latin1'));
  }
  async clear() {
    this.clears++;
    this.sent.push('<clear>');
  }
  async close() {
    this.isOpen = false;
  }
  reply(text: string) {
    this.handlers!.onData(Buffer.from(text, 'latin1'));
  }
}

async function open(options: ConstructorParameters<typeof ScpiSession>[1] = {}) {
  const link = new ManualLink();
  const session = new ScpiSession(link, {
    writeTerminator: 'CR',
    readTerminator: 'CR',
    timeoutMs: 200,
    ...options,
  });
  await session.open();
  return { link, session };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('output off pre-empts everything queued', () => {
  it('drops queued commands, abandons the reply being waited for, clears the device, and confirms', async () => {
    const { link, session } = await open({ timeoutMs: 10_000 });
    const stalled = session.query(':READ?'); // the instrument has stopped answering
    const queued = [session.query(':SYST:ERR?'), session.write(':SOUR:VOLT:LEV 1.5')];
    await tick();
    expect(link.sent).toEqual([':READ?\r']);

    const off = session.urgent(async (raw) => {
      const cleared = await raw.clear();
      await raw.write(':OUTP OFF');
      return { cleared, reply: await raw.queryUntil(':OUTP?;*IDN?', (l) => /^0;KEITHLEY/.test(l), 1000) };
    });
    await expect(stalled).rejects.toMatchObject({ code: 'PREEMPTED' });
    for (const q of queued) await expect(q).rejects.toMatchObject({ code: 'PREEMPTED' });
    await tick();
    // Nothing else went out before "off", and the level change queued behind the stall never did.
    expect(link.sent).toEqual([':READ?\r', '<clear>', ':OUTP OFF\r', ':OUTP?;*IDN?\r']);
    // The stalled reading arrives late; it is skipped, not taken as the confirmation.
    link.reply('+1.5E+00,+1.0E-04,+9.91E+37,+1.0E+00,+8.0E+00\r');
    link.reply('0;KEITHLEY INSTRUMENTS INC.,MODEL 2400,1,C32\r');
    await expect(off).resolves.toEqual({
      cleared: true,
      reply: '0;KEITHLEY INSTRUMENTS INC.,MODEL 2400,1,C32',
    });
  });

  it('an unconfirmed "off" times out without dropping the bytes already written', async () => {
    const { link, session } = await open();
    const off = session.urgent(async (raw) => {
      await raw.write(':OUTP OFF');
      return raw.queryUntil(':OUTP?;*IDN?', () => true, 100);
    });
    await expect(off).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(link.sent).toEqual([':OUTP OFF\r', ':OUTP?;*IDN?\r']);
    await session.close();
    expect(link.sent).toEqual([':OUTP OFF\r', ':OUTP?;*IDN?\r']);
  });
});

describe('framing within a bounded buffer', () => {
  it('a device that never sends the terminator gets a framing error naming the setting, in bounded memory and linear time', async () => {
    const { link, session } = await open({ maxReplyBytes: 1 << 20, timeoutMs: 60_000 });
    const reply = session.query(':READ?');
    await tick();
    const chunk = 'x'.repeat(64 * 1024);
    const started = performance.now();
    for (let k = 0; k < 160; k++) link.reply(chunk); // 10 MiB, no CR
    const elapsed = performance.now() - started;
    await expect(reply).rejects.toMatchObject({ code: 'FRAMING' });
    await expect(reply).rejects.toThrow(/without the read terminator \(CR\).*--read-term/);
    // Linear: 10 MiB with a 1 MiB bound is scanned once (quadratic scanning took seconds).
    expect(elapsed).toBeLessThan(1000);
  });

  it('still splits replies cut at any byte, with CR/LF halves trimmed', async () => {
    const { link, session } = await open();
    const a = session.query('A?');
    await tick();
    for (const ch of '1.5\r') link.reply(ch);
    expect(await a).toBe('1.5');
    const b = session.query('B?');
    await tick();
    link.reply('\n2.5\r'); // an LFCR-terminated instrument: the stray LF is trimmed
    expect(await b).toBe('2.5');
  });
});

describe('recovery after a timeout', () => {
  it('resynchronises with *OPC? and discards the late reply instead of returning it to the next query', async () => {
    const { link, session } = await open({ timeoutMs: 50 });
    await expect(session.query(':READ?')).rejects.toMatchObject({ code: 'TIMEOUT' });
    link.reply('LATE-READING\r');
    const next = session.query(':OUTP?');
    await tick();
    expect(link.sent.slice(-1)).toEqual(['*OPC?\r']);
    link.reply('1\r');
    await tick();
    expect(link.sent.slice(-1)).toEqual([':OUTP?\r']);
    link.reply('0\r');
    expect(await next).toBe('0');
    // No *CLS: the instrument's error queue is read by whoever asks, not wiped here.
    expect(link.sent.join('')).not.toContain('*CLS');
  });
});
