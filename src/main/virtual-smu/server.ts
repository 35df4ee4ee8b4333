/**
 * The virtual SMU's SCPI server on TCP (a LAN raw socket, like port 5025 on a real instrument).
 * Commands from all connections are executed one at a time on the one instrument. A control
 * connection can inject faults into the others (`:SIM:FAULT HANG|GARBAGE|DROP|NONE`) and split
 * replies into random chunks (`:SIM:CHUNK n`), so the client's error paths are tested for real.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Rng } from '../../shared/random';
import type { Die } from './die';
import { commandTable } from './dialects';
import { VirtualInstrument, type SmuModel } from './instrument';
import { parseMessage, parseNumber, ScpiError, SCPI_ERRORS } from './scpi-parser';

export type Fault = 'NONE' | 'HANG' | 'GARBAGE' | 'DROP';

export interface SimServerOptions {
  model: SmuModel;
  die: Die;
  host?: string;
  port?: number;
  /** Wall seconds per virtual second: 1 is real time, 0 answers at once. */
  timeScale?: number;
  serial?: string;
  /**
   * Also listen on a second loopback port for the serial side (the pty bridge), whose replies
   * end with this terminator (the 2400's RS-232 setting: "\r", "\n" or "\r\n").
   */
  serialTerminator?: string;
  log?: (message: string) => void;
}

export interface SimServer {
  host: string;
  port: number;
  instrument: VirtualInstrument;
  resource: string;
  /** Loopback port of the serial side, when serialTerminator was given. */
  serialPort?: number;
  connections(): number;
  close(): Promise<void>;
}

interface Connection {
  socket: Socket;
  id: number;
  buffer: string;
  terminator: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const host = options.host ?? '127.0.0.1';
  const instrument = new VirtualInstrument(options.model, options.die, options.serial ?? 'SIM00001');
  const table = commandTable(options.model);
  const timeScale = options.timeScale ?? 1;
  const log = options.log ?? (() => {});
  const connections = new Set<Connection>();
  const chunkRng = new Rng(0x5eed);
  let fault: Fault = 'NONE';
  let faultOwner: Connection | undefined;
  let chunkSize = 0;
  let nextId = 1;
  // One instrument: commands from every connection run strictly one after another.
  let queue: Promise<void> = Promise.resolve();

  const affected = (conn: Connection) => fault !== 'NONE' && conn !== faultOwner;

  async function send(conn: Connection, text: string): Promise<void> {
    const data = Buffer.from(text + conn.terminator, 'latin1');
    if (chunkSize <= 0) {
      conn.socket.write(data);
      return;
    }
    for (let offset = 0; offset < data.length;) {
      const size = 1 + Math.floor(chunkRng.next() * chunkSize);
      conn.socket.write(data.subarray(offset, offset + size));
      offset += size;
      await sleep(1);
    }
  }

  function simControl(conn: Connection, tokens: string[], args: string[]): boolean {
    if (tokens[0] !== 'SIM' && tokens[0] !== 'SIMULATION') return false;
    const node = tokens[1];
    if (node === 'FAULT') {
      const value = (args[0] ?? '').toUpperCase() as Fault;
      if (!['NONE', 'HANG', 'GARBAGE', 'DROP'].includes(value)) throw SCPI_ERRORS.illegalValue();
      fault = value;
      faultOwner = value === 'NONE' ? undefined : conn;
      log(`fault ${value} armed by connection ${conn.id}`);
      if (value === 'DROP') {
        for (const other of connections) if (other !== conn) other.socket.destroy();
      }
      return true;
    }
    if (node === 'CHUNK') {
      chunkSize = Math.round(parseNumber(args[0], { min: 0, max: 4096 }));
      return true;
    }
    return false;
  }

  async function execute(conn: Connection, line: string): Promise<void> {
    const replies: string[] = [];
    let units;
    try {
      units = parseMessage(line);
    } catch (error) {
      instrument.pushError(error instanceof ScpiError ? error : SCPI_ERRORS.syntax());
      return;
    }
    for (const unit of units) {
      try {
        if (!unit.isQuery && unit.common === undefined && simControl(conn, unit.tokens, unit.args)) continue;
        const spec = table.find(unit);
        if (!spec) throw SCPI_ERRORS.undefinedHeader();
        if (unit.isQuery) replies.push(await spec.query!(instrument, unit.args));
        else await spec.set!(instrument, unit.args);
      } catch (error) {
        instrument.pushError(
          error instanceof ScpiError
            ? error
            : new ScpiError(-300, `Device-specific error: ${(error as Error).message}`),
        );
        // A query that fails produces no reply, as on a real instrument.
      }
    }
    const paced = instrument.pendingSeconds * timeScale;
    instrument.pendingSeconds = 0;
    if (paced > 0) await sleep(paced * 1000);
    if (replies.length === 0 || conn.socket.destroyed) return;
    if (affected(conn) && fault === 'HANG') return;
    if (affected(conn) && fault === 'GARBAGE') {
      await send(conn, '\u00ff#?!GARBAGE\u0007,,,xyz');
      return;
    }
    await send(conn, replies.join(';'));
  }

  const accept = (terminator: string) => (socket: Socket) => {
    const conn: Connection = { socket, id: nextId++, buffer: '', terminator };
    connections.add(conn);
    socket.setNoDelay(true);
    log(`connection ${conn.id} from ${socket.remoteAddress}:${socket.remotePort}`);
    socket.on('data', (chunk) => {
      conn.buffer += chunk.toString('latin1');
      const parts = conn.buffer.split(/\r\n|\n|\r/);
      conn.buffer = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.trim()) continue;
        queue = queue
          .then(() => (socket.destroyed ? undefined : execute(conn, line)))
          .catch((error: Error) => log(`error: ${error.message}`));
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      connections.delete(conn);
      if (faultOwner === conn) {
        fault = 'NONE';
        faultOwner = undefined;
      }
      log(`connection ${conn.id} closed`);
    });
  };

  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  const server: Server = createServer(accept('\n'));
  const port = await listen(server, options.port ?? 0);
  const serialServer =
    options.serialTerminator !== undefined ? createServer(accept(options.serialTerminator)) : undefined;
  const serialPort = serialServer ? await listen(serialServer, 0) : undefined;
  return {
    host,
    port,
    instrument,
    resource: `TCPIP::${host}::${port}::SOCKET`,
    ...(serialPort !== undefined ? { serialPort } : {}),
    connections: () => connections.size,
    close: async () => {
      for (const conn of connections) conn.socket.destroy();
      await Promise.all(
        [server, serialServer].map((srv) =>
          srv ? new Promise<void>((resolve) => srv.close(() => resolve())) : undefined,
        ),
      );
    },
  };
}
