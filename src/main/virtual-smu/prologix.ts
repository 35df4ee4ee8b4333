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

export async function startPrologixEmulator(options: PrologixOptions): Promise<PrologixEmulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const state = { mode: 1, addr: 5, auto: 0, eoi: 1, eos: 0, eotEnable: 0, eotChar: 0, readTimeoutMs: 500 };
  let output = ''; // the instrument's output queue, read by ++read
  // Program messages with a query, minus the replies read: what the instrument still owes.
  let owed = 0;
  const stats = { eepromWrites: 0, unterminatedReads: 0, reads: 0 };
  let waiter: (() => void) | undefined;
  options.device.onReply((text) => {
    output += text;
    waiter?.();
  });
  // One host at a time, as the hardware serves one; commands run in order.
  let chain: Promise<void> = Promise.resolve();

  const readReply = async (): Promise<string> => {
    const deadline = Date.now() + state.readTimeoutMs;
    while (!output.includes('\n') && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
      waiter = undefined;
    }
    const end = output.indexOf('\n');
    if (end < 0) return ''; // read timed out: nothing for the host
    const reply = output.slice(0, end + 1);
    output = output.slice(end + 1);
    owed = Math.max(0, owed - 1);
    return state.eotEnable ? reply + String.fromCharCode(state.eotChar) : reply;
  };

  const command = async (socket: Socket, line: string): Promise<void> => {
    const [name, ...args] = line.slice(2).trim().split(/\s+/);
    const value = args[0];
    const answer = (text: string | number) => socket.write(`${text}\r\n`);
    const numeric = (
      key: 'mode' | 'addr' | 'auto' | 'eoi' | 'eos' | 'eotEnable' | 'eotChar' | 'readTimeoutMs',
      min: number,
      max: number,
    ) => {
      if (value === undefined) return answer(state[key]);
      const n = Number(value);
      if (Number.isInteger(n) && n >= min && n <= max) state[key] = n;
    };
    switch ((name ?? '').toLowerCase()) {
      case 'mode':
        return void numeric('mode', 0, 1);
      case 'addr':
        return void numeric('addr', 0, 30);
      case 'auto':
        return void numeric('auto', 0, 1);
      case 'eoi':
        return void numeric('eoi', 0, 1);
      case 'eos':
        return void numeric('eos', 0, 3);
      case 'eot_enable':
        return void numeric('eotEnable', 0, 1);
      case 'eot_char':
        return void numeric('eotChar', 0, 255);
      case 'read_tmo_ms':
        return void numeric('readTimeoutMs', 1, 3000);
      case 'ver':
        return void answer(
          options.flavour === 'ar488'
            ? 'AR488 GPIB controller, ver. 0.51.18, 18/03/2023'
            : options.flavour === 'usb'
              ? 'Prologix GPIB-USB Controller version 6.107'
              : 'Prologix GPIB-ETHERNET Controller version 01.06.06.00',
        );
      case 'read': {
        if (state.addr !== options.address) return; // no talker: the read times out empty
        stats.reads++;
        if (owed === 0 && !output.includes('\n')) {
          // Addressed to talk with nothing to say; the adapter then waits out read_tmo_ms.
          stats.unterminatedReads++;
          options.device.talkWithNothingToSay();
        }
        const reply = await readReply();
        if (reply) socket.write(reply, 'latin1');
        return;
      }
      case 'clr':
        if (state.addr === options.address) {
          options.device.clear();
          output = '';
          owed = 0;
        }
        return;
      case 'spoll':
        return void answer(state.addr === options.address ? 0 : '');
      case 'savecfg':
        // A Prologix's ++savecfg 0 stops it saving settings; an AR488 writes its EEPROM now.
        if (options.flavour === 'ar488') stats.eepromWrites++;
        return;
      case 'loc':
      case 'ifc':
      case 'llo':
      case 'trg':
      case 'rst':
        return;
      default:
        return void answer('Unrecognized command');
    }
  };

  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    log('prologix: host connected');
    let buffer = '';
    let escaped = false;
    let data = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      // Unescape and split: an unescaped CR or LF ends a line; ESC makes the next byte literal.
      const lines: Array<{ text: string; isCommand: boolean }> = [];
      for (const ch of buffer) {
        if (escaped) {
          data += ch;
          escaped = false;
        } else if (ch === '\x1b') escaped = true;
        else if (ch === '\r' || ch === '\n') {
          if (data.length) lines.push({ text: data, isCommand: data.startsWith('++') });
          data = '';
        } else data += ch;
      }
      buffer = '';
      for (const { text, isCommand } of lines) {
        chain = chain
          .then(async () => {
            if (isCommand) return command(socket, text);
            if (state.mode !== 1 || state.addr !== options.address) return;
            if (text.includes('?')) owed++;
            options.device.write(`${text}${EOS[state.eos]}\n`);
            if (state.auto) {
              const reply = await readReply();
              if (reply) socket.write(reply, 'latin1');
            }
          })
          .catch((error: Error) => log(`prologix: ${error.message}`));
      }
    });
    socket.on('error', () => {});
  };

  const server: Server = createServer(accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    resource: `TCPIP::${host}::${port}::SOCKET`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        options.device.close();
        server.close(() => resolve());
      }),
  };
}
