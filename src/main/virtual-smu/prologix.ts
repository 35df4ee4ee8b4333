/**
 * A Prologix-style GPIB adapter in front of the virtual SMU (GPIB-ETHERNET on TCP, GPIB-USB on a
 * pty), speaking the adapter's host protocol as its manual gives it:
 * - host lines end in CR or LF; "++" lines are adapter commands, everything else is data for the
 *   addressed instrument, with ESC escaping CR, LF, ESC and '+' inside data;
 * - data is sent to the instrument at the current ++addr followed by the ++eos characters (and
 *   EOI); nothing listens at other addresses;
 * - replies come back only on "++read eoi" (or with ++auto 1), waiting at most ++read_tmo_ms for
 *   the instrument; a reply that is not ready stays in the instrument until the next read;
 * - "++clr" sends a selected device clear.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { GpibPort } from './server';

export interface PrologixOptions {
  /** The instrument's GPIB interface and its address on the bus. */
  device: GpibPort;
  address: number;
  host?: string;
  port?: number;
  /** 'ethernet' or 'usb': what a Prologix's ++ver reports; 'ar488': an AR488 (Arduino) adapter. */
  flavour?: 'ethernet' | 'usb' | 'ar488';
  log?: (message: string) => void;
}

export interface PrologixEmulator {
  port: number;
  resource: string;
  /** What the adapter did that harms the bench: EEPROM writes (AR488 ++savecfg), reads with nothing to read. */
  stats: { eepromWrites: number; unterminatedReads: number; reads: number };
  close(): Promise<void>;
}

const EOS = ['\r\n', '\r', '\n', ''] as const;

type Setting = 'mode' | 'addr' | 'auto' | 'eoi' | 'eos' | 'eotEnable' | 'eotChar' | 'readTimeoutMs';

/** The ++ settings a host reads back or sets, with the range the adapter accepts. */
const SETTINGS: Record<string, [Setting, number, number]> = {
  mode: ['mode', 0, 1],
  addr: ['addr', 0, 30],
  auto: ['auto', 0, 1],
  eoi: ['eoi', 0, 1],
  eos: ['eos', 0, 3],
  eot_enable: ['eotEnable', 0, 1],
  eot_char: ['eotChar', 0, 255],
  read_tmo_ms: ['readTimeoutMs', 1, 3000],
};

const VERSIONS: Record<NonNullable<PrologixOptions['flavour']>, string> = {
  ar488: 'AR488 GPIB controller, ver. 0.51.18, 18/03/2023',
  usb: 'Prologix GPIB-USB Controller version 6.107',
  ethernet: 'Prologix GPIB-ETHERNET Controller version 01.06.06.00',
};

/** The adapter between one host and the bus: its settings, the instrument's output queue, ++ commands. */
class PrologixAdapter {
  readonly state: Record<Setting, number> = {
    mode: 1,
    addr: 5,
    auto: 0,
    eoi: 1,
    eos: 0,
    eotEnable: 0,
    eotChar: 0,
    readTimeoutMs: 500,
  };
  readonly stats = { eepromWrites: 0, unterminatedReads: 0, reads: 0 };
  readonly sockets = new Set<Socket>();
  private output = ''; // the instrument's output queue, read by ++read
  // Program messages with a query, minus the replies read: what the instrument still owes.
  private owed = 0;
  private waiter: (() => void) | undefined;
  // One host at a time, as the hardware serves one; commands run in order.
  private chain: Promise<void> = Promise.resolve();
  private readonly log: (message: string) => void;

  constructor(private readonly options: PrologixOptions) {
    this.log = options.log ?? (() => {});
    options.device.onReply((text) => {
      this.output += text;
      this.waiter?.();
    });
  }

  private async readReply(): Promise<string> {
    const deadline = Date.now() + this.state.readTimeoutMs;
    while (!this.output.includes('\n') && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
      this.waiter = undefined;
    }
    const end = this.output.indexOf('\n');
    if (end < 0) return ''; // read timed out: nothing for the host
    const reply = this.output.slice(0, end + 1);
    this.output = this.output.slice(end + 1);
    this.owed = Math.max(0, this.owed - 1);
    return this.state.eotEnable ? reply + String.fromCharCode(this.state.eotChar) : reply;
  }

  private async read(socket: Socket): Promise<void> {
    if (this.state.addr !== this.options.address) return; // no talker: the read times out empty
    this.stats.reads++;
    if (this.owed === 0 && !this.output.includes('\n')) {
      // Addressed to talk with nothing to say; the adapter then waits out read_tmo_ms.
      this.stats.unterminatedReads++;
      this.options.device.talkWithNothingToSay();
    }
    const reply = await this.readReply();
    if (reply) socket.write(reply, 'latin1');
  }

  private async command(socket: Socket, line: string): Promise<void> {
    const [name, ...args] = line.slice(2).trim().split(/\s+/);
    const value = args[0];
    const answer = (text: string | number) => void socket.write(`${text}\r\n`);
    const key = (name ?? '').toLowerCase();
    const setting = SETTINGS[key];
    if (setting) {
      const [field, min, max] = setting;
      if (value === undefined) return answer(this.state[field]);
      const n = Number(value);
      if (Number.isInteger(n) && n >= min && n <= max) this.state[field] = n;
      return;
    }
    switch (key) {
      case 'ver':
        return answer(VERSIONS[this.options.flavour ?? 'ethernet']);
      case 'read':
        return this.read(socket);
      case 'clr':
        if (this.state.addr === this.options.address) {
          this.options.device.clear();
          this.output = '';
          this.owed = 0;
        }
        return;
      case 'spoll':
        return answer(this.state.addr === this.options.address ? 0 : '');
      case 'savecfg':
        // A Prologix's ++savecfg 0 stops it saving settings; an AR488 writes its EEPROM now.
        if (this.options.flavour === 'ar488') this.stats.eepromWrites++;
        return;
      case 'loc':
      case 'ifc':
      case 'llo':
      case 'trg':
      case 'rst':
        return;
      default:
        return answer('Unrecognized command');
    }
  }

  /** A line of data for the addressed instrument (with the EOS the host chose), or a ++ command. */
  private async line(socket: Socket, text: string, isCommand: boolean): Promise<void> {
    if (isCommand) return this.command(socket, text);
    if (this.state.mode !== 1 || this.state.addr !== this.options.address) return;
    if (text.includes('?')) this.owed++;
    this.options.device.write(`${text}${EOS[this.state.eos]}\n`);
    if (this.state.auto) {
      const reply = await this.readReply();
      if (reply) socket.write(reply, 'latin1');
    }
  }

  accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    this.log('prologix: host connected');
    let escaped = false;
    let data = '';
    socket.on('data', (chunk) => {
      // Unescape and split: an unescaped CR or LF ends a line; ESC makes the next byte literal.
      const lines: Array<{ text: string; isCommand: boolean }> = [];
      for (const ch of chunk.toString('latin1')) {
        if (escaped) {
          data += ch;
          escaped = false;
        } else if (ch === '\x1b') escaped = true;
        else if (ch === '\r' || ch === '\n') {
          if (data.length) lines.push({ text: data, isCommand: data.startsWith('++') });
          data = '';
        } else data += ch;
      }
      for (const { text, isCommand } of lines)
        this.chain = this.chain
          .then(() => this.line(socket, text, isCommand))
          .catch((error: Error) => this.log(`prologix: ${error.message}`));
    });
    socket.on('error', () => {});
  }
}

export async function startPrologixEmulator(options: PrologixOptions): Promise<PrologixEmulator> {
  const host = options.host ?? '127.0.0.1';
  const adapter = new PrologixAdapter(options);
  const server: Server = createServer((socket) => adapter.accept(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    resource: `TCPIP::${host}::${port}::SOCKET`,
    stats: adapter.stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of adapter.sockets) socket.destroy();
        options.device.close();
        server.close(() => resolve());
      }),
  };
}
