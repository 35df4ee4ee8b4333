/**
 * The virtual SMU's SCPI server on TCP (a LAN raw socket, like port 5025 on a real instrument).
 * Commands from all connections are executed one at a time on the one instrument. A control
 * connection can inject faults into the others and split replies into random chunks
 * (`:SIM:CHUNK n`), so the client's error paths are tested for real:
 *   HANG     the instrument stalls: nothing is executed or answered until NONE, then the backlog
 *            runs in order (what a SIGSTOPped or wedged instrument does);
 *   GARBAGE  the next reply is corrupted (line noise), then it answers normally again;
 *   DROP     the other connections are cut;
 *   NONE     back to normal.
 */
import { createServer, Socket, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Rng } from '../../shared/random';
import type { Die } from './die';
import { smuModel, type SmuModelId } from '../instrument/models/registry';
import { simulation, suffixAllowed } from './scpi-dialect';
import { VirtualInstrument } from './instrument';
import { CommandTable, parseMessage, parseNumber, ScpiError, SCPI_ERRORS } from './scpi-parser';

export type Fault = 'NONE' | 'HANG' | 'GARBAGE' | 'DROP';

export interface SimServerOptions {
  model: SmuModelId;
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
  /** The 2450's command set as *LANG? reports it (SCPI, SCPI2400, TSP). */
  language?: string;
  /** The safety interlock line; asserted (fixture lid closed) unless false. */
  interlockAsserted?: boolean;
  /** Every program message as it executes, with its connection: the instrument's command log. */
  trace?: (connection: number, line: string) => void;
  log?: (message: string) => void;
}

export interface SimServer {
  host: string;
  port: number;
  instrument: VirtualInstrument;
  resource: string;
  /** Loopback port of the serial side, when serialTerminator was given. */
  serialPort?: number;
  /** The instrument's GPIB interface (for a Prologix-style adapter emulator). */
  gpib(): GpibPort;
  connections(): number;
  close(): Promise<void>;
}

/** Where a connection's replies go: a socket, or an in-process interface (the GPIB bus). */
interface Sink {
  write(data: Buffer): void;
  readonly destroyed: boolean;
}

/** The instrument's GPIB interface, for an adapter emulator in the same process. */
export interface GpibPort {
  /** Bytes from the bus (a program message ends with LF, as with EOI). */
  write(text: string): void;
  /** Replies, as the instrument puts them on the bus. */
  onReply(listener: (text: string) => void): void;
  /** Selected device clear (SDC): pending commands and output are dropped. */
  clear(): void;
  /** Addressed to talk with no query to answer: IEEE 488.2 makes that -420 Query UNTERMINATED. */
  talkWithNothingToSay(): void;
  close(): void;
}

interface Connection {
  socket: Sink;
  id: number;
  buffer: string;
  terminator: string;
  /** The RS-232 side: commands execute on CR, and ^C/^X clear the device. */
  serial: boolean;
  /** Bumped by a device clear: queued commands and replies of an older generation are dropped. */
  generation: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one instrument behind every connection: its command table (or language), the queue that
 * runs commands one at a time, the connections, and the faults a control connection arms.
 */
class SimEngine {
  readonly instrument: VirtualInstrument;
  readonly connections = new Set<Connection>();
  private readonly model: ReturnType<typeof smuModel>['simulator'];
  private readonly table: CommandTable<VirtualInstrument>;
  private readonly language:
    ReturnType<NonNullable<ReturnType<typeof smuModel>['simulator']['interpreter']>> | undefined;
  private readonly timeScale: number;
  private readonly log: (message: string) => void;
  private readonly chunkRng = new Rng(0x5eed);
  private fault: Fault = 'NONE';
  private faultOwner: Connection | undefined;
  private chunkSize = 0;
  private nextId = 1;
  // One instrument: commands from every connection run strictly one after another.
  private queue: Promise<void> = Promise.resolve();
  private resume: (() => void) | undefined;
  private resumed: Promise<void> = Promise.resolve();

  constructor(private readonly options: SimServerOptions) {
    this.model = smuModel(options.model).simulator;
    this.instrument = new VirtualInstrument(
      this.model.traits,
      options.die,
      options.serial ?? 'SIM00001',
      options.language ?? 'SCPI',
    );
    this.instrument.interlockAsserted = options.interlockAsserted ?? true;
    // A SCPI model's table, or only the simulator's own commands beside a language of its own
    // (TSP, FLEX, KXCI) that gets every other line.
    this.table = new CommandTable(this.model.commands?.(this.model.idn) ?? simulation());
    this.timeScale = options.timeScale ?? 1;
    this.language = this.model.interpreter?.(this.instrument, options.die, this.timeScale);
    this.log = options.log ?? (() => {});
    // The instrument's own record of its output, as a front-panel indicator would show it.
    this.instrument.onOutputChange = (on) => this.log(`output ${on ? 'ON' : 'OFF'}`);
  }

  get terminator(): string {
    return this.model.terminator;
  }

  private affected(conn: Connection): boolean {
    return this.fault !== 'NONE' && conn !== this.faultOwner;
  }

  private async send(conn: Connection, text: string): Promise<void> {
    const data = Buffer.from(text + conn.terminator, 'latin1');
    if (this.chunkSize <= 0) {
      conn.socket.write(data);
      return;
    }
    for (let offset = 0; offset < data.length;) {
      const size = 1 + Math.floor(this.chunkRng.next() * this.chunkSize);
      conn.socket.write(data.subarray(offset, offset + size));
      offset += size;
      await sleep(1);
    }
  }

  private simControl(conn: Connection, tokens: string[], args: string[]): boolean {
    if (tokens[0] !== 'SIM' && tokens[0] !== 'SIMULATION') return false;
    const node = tokens[1];
    if (node === 'FAULT') {
      const value = (args[0] ?? '').toUpperCase() as Fault;
      if (!['NONE', 'HANG', 'GARBAGE', 'DROP'].includes(value)) throw SCPI_ERRORS.illegalValue();
      this.fault = value;
      this.faultOwner = value === 'NONE' ? undefined : conn;
      this.log(`fault ${value} armed by connection ${conn.id}`);
      if (value === 'HANG' && !this.resume) this.resumed = new Promise<void>((r) => (this.resume = r));
      if (value !== 'HANG' && this.resume) {
        this.resume();
        this.resume = undefined;
      }
      if (value === 'DROP') {
        for (const other of this.connections)
          if (other !== conn && other.socket instanceof Socket) other.socket.destroy();
      }
      return true;
    }
    if (node === 'CHUNK') {
      this.chunkSize = Math.round(parseNumber(args[0], { min: 0, max: 4096 }));
      return true;
    }
    return false;
  }

  private async execute(conn: Connection, line: string, generation: number): Promise<void> {
    if (this.affected(conn) && this.fault === 'HANG') await this.resumed;
    if (generation !== conn.generation) return;
    this.options.trace?.(conn.id, line);
    if (this.language && !this.language.leavesToSimulator(line))
      return this.finish(conn, this.language.execute(line), generation);
    let units;
    try {
      units = parseMessage(line);
    } catch (error) {
      this.instrument.pushError(error instanceof ScpiError ? error : SCPI_ERRORS.syntax());
      return;
    }
    const replies: string[] = [];
    for (const unit of units) {
      try {
        if (!unit.isQuery && unit.common === undefined && this.simControl(conn, unit.tokens, unit.args))
          continue;
        const spec = this.table.find(unit);
        if (!spec) throw SCPI_ERRORS.undefinedHeader();
        if (!suffixAllowed(unit.suffixes)) throw SCPI_ERRORS.headerSuffix();
        if (unit.isQuery && !spec.queryArgs && unit.args.length > 0) {
          const bounds =
            unit.args.length === 1 && /^(MIN|MINIMUM|MAX|MAXIMUM|DEF|DEFAULT)$/i.test(unit.args[0]!);
          if (!bounds) throw SCPI_ERRORS.parameterNotAllowed();
        }
        if (unit.isQuery) replies.push(await spec.query!(this.instrument, unit.args));
        else await spec.set!(this.instrument, unit.args);
      } catch (error) {
        this.instrument.pushError(
          error instanceof ScpiError
            ? error
            : new ScpiError(-300, `Device-specific error: ${(error as Error).message}`),
        );
        // A query that fails produces no reply, as on a real instrument.
      }
    }
    return this.finish(conn, replies, generation);
  }

  private async finish(conn: Connection, replies: string[], generation: number): Promise<void> {
    const paced = this.instrument.pendingSeconds * this.timeScale;
    this.instrument.pendingSeconds = 0;
    if (paced > 0) await sleep(paced * 1000);
    // A device clear that arrived meanwhile discards the pending output.
    if (replies.length === 0 || conn.socket.destroyed || generation !== conn.generation) return;
    if (this.affected(conn) && this.fault === 'GARBAGE') {
      this.fault = 'NONE';
      this.faultOwner = undefined;
      await this.send(conn, '\u00ff#?!GARBAGE\u0007,,,xyz');
      return;
    }
    // SCPI: one response message, units joined by ';'; FLEX joins data items by ','; a TSP print
    // or a KXCI reply is a message of its own.
    await this.send(
      conn,
      replies.join(this.model.replies === 'lines' ? conn.terminator : this.model.replies),
    );
  }

  private clearDevice(conn: Connection): void {
    conn.generation++;
    conn.buffer = '';
    this.log(`connection ${conn.id}: device clear`);
  }

  private receive(conn: Connection, chunk: string): void {
    let text = chunk;
    if (conn.serial) {
      // ^C / ^X: "clears any pending operation and discards any pending output" (2400 manual).
      const clear = Math.max(text.lastIndexOf('\x03'), text.lastIndexOf('\x18'));
      if (clear >= 0) {
        this.clearDevice(conn);
        text = text.slice(clear + 1);
      }
      // The 2400's RS-232 executes a command when CR arrives; a lone LF ends nothing.
      conn.buffer += text.replace(/\n/g, ' ');
    } else {
      conn.buffer += text;
    }
    const parts = conn.buffer.split(
      conn.serial ? /\r/ : this.model.terminator === '\0' ? /\0/ : /\r\n|\n|\r/,
    );
    conn.buffer = parts.pop() ?? '';
    if (conn.buffer.length > 1 << 20) conn.buffer = ''; // a runaway line is dropped, not hoarded
    const generation = conn.generation;
    for (const line of parts) {
      if (!line.trim()) continue;
      if (/^\s*:?SIM(ULATION)?:FAULT\s/i.test(line)) {
        void this.execute(conn, line, generation).catch((error: Error) =>
          this.log(`error: ${error.message}`),
        );
        continue;
      }
      this.queue = this.queue
        .then(() => (conn.socket.destroyed ? undefined : this.execute(conn, line, generation)))
        .catch((error: Error) => this.log(`error: ${error.message}`));
    }
  }

  private closed(conn: Connection): void {
    this.connections.delete(conn);
    if (this.faultOwner === conn) {
      this.fault = 'NONE';
      this.faultOwner = undefined;
      this.resume?.();
      this.resume = undefined;
    }
    this.log(`connection ${conn.id} closed`);
  }

  /** A socket's connection (LAN, or the serial side with its own terminator). */
  accept(socket: Socket, terminator: string, serial: boolean): void {
    const conn: Connection = { socket, id: this.nextId++, buffer: '', terminator, serial, generation: 0 };
    this.connections.add(conn);
    socket.setNoDelay(true);
    this.log(
      `connection ${conn.id} from ${socket.remoteAddress}:${socket.remotePort}${serial ? ' (RS-232)' : ''}`,
    );
    socket.on('data', (chunk) => this.receive(conn, chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => this.closed(conn));
  }

  /** The instrument's GPIB interface: a connection whose replies go to in-process listeners. */
  gpib(): GpibPort {
    const listeners: Array<(text: string) => void> = [];
    const sink = {
      destroyed: false,
      write: (data: Buffer) => {
        for (const listener of listeners) listener(data.toString('latin1'));
      },
    };
    const conn: Connection = {
      socket: sink,
      id: this.nextId++,
      buffer: '',
      terminator: this.model.terminator,
      serial: false,
      generation: 0,
    };
    this.connections.add(conn);
    this.log(`connection ${conn.id}: GPIB interface`);
    return {
      write: (text) => this.receive(conn, text),
      onReply: (listener) => listeners.push(listener),
      clear: () => this.clearDevice(conn),
      talkWithNothingToSay: () => this.instrument.pushError(new ScpiError(-420, 'Query UNTERMINATED')),
      close: () => {
        sink.destroyed = true;
        this.closed(conn);
      },
    };
  }
}

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const host = options.host ?? '127.0.0.1';
  const engine = new SimEngine(options);
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
    });
  const server: Server = createServer((socket) => engine.accept(socket, engine.terminator, false));
  const port = await listen(server, options.port ?? 0);
  const serialTerminator = options.serialTerminator;
  const serialServer =
    serialTerminator !== undefined
      ? createServer((socket) => engine.accept(socket, serialTerminator, true))
      : undefined;
  const serialPort = serialServer ? await listen(serialServer, 0) : undefined;
  return {
    host,
    port,
    instrument: engine.instrument,
    resource: `TCPIP::${host}::${port}::SOCKET`,
    ...(serialPort !== undefined ? { serialPort } : {}),
    connections: () => engine.connections.size,
    gpib: () => engine.gpib(),
    close: async () => {
      for (const conn of engine.connections) if (conn.socket instanceof Socket) conn.socket.destroy();
      await Promise.all(
        [server, serialServer].map((srv) =>
          srv ? new Promise<void>((resolve) => srv.close(() => resolve())) : undefined,
        ),
      );
    },
  };
}
