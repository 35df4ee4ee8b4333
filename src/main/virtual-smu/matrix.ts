/**
 * A virtual Keysight B2200A switch mainframe in front of the virtual SMU's die, on its own TCP
 * port (the real one is GPIB-only; the SCPI is the same). The die's cells form a crossbar of
 * pads (`shared/switch-matrix.ts`): the SMU measures the one cell whose row is on its HI input
 * and whose column is on its LO input; none is an open circuit.
 *
 * It is strict where the B2200 User's Guide (ch. 5) is: channels are cIIOO with card 0 in the
 * auto configuration mode (1–4 in the normal mode), inputs 1–14, outputs 1–48; anything else is
 * -222, an unknown header -113. The single-route rule disconnects a port's old route when a new
 * one takes it. Every relay move while the SMU's output is on is logged as a violation: the
 * virtual SMU does not refuse it (a real matrix hot-switches), the test reads the log.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  B2200_INPUTS,
  B2200_OUTPUTS,
  cellsBetween,
  K707_COLUMNS_PER_SLOT,
  parseK707Channels,
  toK707Channels,
  parseChannelList,
  toChannelList,
  type MatrixPath,
  type MatrixWiring,
} from '../../shared/switch-matrix';
import type { VirtualInstrument } from './instrument';
import { CommandTable, parseMessage, ScpiError, SCPI_ERRORS, type CommandSpec } from './scpi-parser';

export interface RelayViolation {
  /** The instrument's virtual clock (s) when the relay moved. */
  t: number;
  /** The source level the SMU held with its output on. */
  level: number;
  channels: string;
}

type Rule = 'FREE' | 'SROU';
type Sequence = 'NSEQ' | 'BBM' | 'MBBR';

export class VirtualMatrix {
  readonly closed = new Map<string, MatrixPath>();
  mode: 'ACON' | 'NCON' = 'ACON';
  rule: Rule = 'FREE';
  sequence: Sequence = 'BBM';
  moves = 0;
  readonly violations: RelayViolation[] = [];
  private readonly errors: ScpiError[] = [];

  constructor(
    readonly instrument: VirtualInstrument,
    readonly wiring: MatrixWiring,
    private readonly log: (message: string) => void = () => {},
  ) {
    this.route();
  }

  reset(): void {
    this.change(() => this.closed.clear());
    this.mode = 'ACON';
    this.rule = 'FREE';
    this.sequence = 'BBM';
  }

  pushError(error: ScpiError): void {
    if (this.errors.length < 30) this.errors.push(error);
  }

  popError(): string {
    const error = this.errors.shift();
    return error ? `${error.code},"${error.message}"` : '0,"No error"';
  }

  /** The oldest error as it is (TSP prints its fields itself). */
  popErrorEntry(): ScpiError | undefined {
    return this.errors.shift();
  }

  errorCount(): number {
    return this.errors.length;
  }

  clearErrors(): void {
    this.errors.length = 0;
  }

  paths(): MatrixPath[] {
    return [...this.closed.values()].sort((a, b) => a.input - b.input || a.output - b.output);
  }

  close(paths: MatrixPath[]): void {
    this.change(() => {
      for (const path of paths) {
        if (this.rule === 'SROU')
          for (const [key, other] of this.closed)
            if (other.input === path.input || other.output === path.output) this.closed.delete(key);
        this.closed.set(keyOf(path), path);
      }
    });
  }

  open(paths: MatrixPath[]): void {
    this.change(() => paths.forEach((p) => this.closed.delete(keyOf(p))));
  }

  openAll(): void {
    this.change(() => this.closed.clear());
  }

  /** Opens everything else, then closes exactly these (the 707B's exclusiveclose), as one move. */
  exclusive(paths: MatrixPath[]): void {
    this.change(() => {
      this.closed.clear();
      for (const path of paths) this.closed.set(keyOf(path), path);
    });
  }

  /** Applies a change of crosspoints: a move under bias is a violation; the SMU sees the new route. */
  private change(action: () => void): void {
    const before = toChannelList(this.paths());
    action();
    const after = toChannelList(this.paths());
    if (before === after) return;
    this.moves++;
    if (this.instrument.output) {
      this.violations.push({ t: this.instrument.clock, level: this.instrument.level, channels: after });
      this.log(`VIOLATION: relays moved to ${after} with the output on at ${this.instrument.level} V`);
    }
    this.route();
  }

  private route(): void {
    const cells = cellsBetween(this.wiring, this.paths());
    this.instrument.cellConnected = cells.length === 1;
    if (cells.length === 1) this.instrument.cellIndex = cells[0]!;
    if (cells.length > 1) this.log(`cells ${cells.join(', ')} are in parallel between the SMU's HI and LO`);
  }
}

const keyOf = (p: MatrixPath) => `${p.input}:${p.output}`;

/** A card argument: 0 or ALL in the auto configuration mode, 1–4 in the normal mode. */
function card(m: VirtualMatrix, arg: string | undefined): void {
  const value = (arg ?? '').trim().toUpperCase();
  if (value === '') throw SCPI_ERRORS.missingParameter();
  if (value === 'ALL') return;
  if (!/^\d+$/.test(value)) throw SCPI_ERRORS.dataType();
  const n = Number(value);
  if (m.mode === 'ACON' ? n !== 0 : n < 1 || n > 4) throw SCPI_ERRORS.outOfRange();
}

function channels(m: VirtualMatrix, args: string[]): MatrixPath[] {
  if (args.length !== 1)
    throw args.length ? SCPI_ERRORS.parameterNotAllowed() : SCPI_ERRORS.missingParameter();
  const text = args[0]!;
  let paths: MatrixPath[];
  try {
    paths = parseChannelList(text);
  } catch {
    throw SCPI_ERRORS.syntax();
  }
  // The card digit: 0 in the auto configuration mode.
  const cards = [...text.matchAll(/(\d{4,5})/g)].map((match) =>
    match[1]!.length === 5 ? match[1]![0] : '0',
  );
  if (cards.some((c) => (m.mode === 'ACON' ? c !== '0' : c === '0'))) throw SCPI_ERRORS.outOfRange();
  if (paths.some((p) => p.input < 1 || p.input > B2200_INPUTS || p.output < 1 || p.output > B2200_OUTPUTS))
    throw SCPI_ERRORS.outOfRange();
  return paths;
}

function cardAnd<T extends string>(m: VirtualMatrix, args: string[], values: readonly T[]): T {
  if (args.length !== 2) throw SCPI_ERRORS.missingParameter();
  card(m, args[0]);
  const value = args[1]!.trim().toUpperCase() as T;
  if (!values.includes(value)) throw SCPI_ERRORS.illegalValue();
  return value;
}

function table(): CommandTable<VirtualMatrix> {
  const specs: CommandSpec<VirtualMatrix>[] = [
    { pattern: '*IDN', query: () => 'AGILENT,B2200A,0,A.02.01' },
    { pattern: '*RST', set: (m) => m.reset() },
    { pattern: '*CLS', set: (m) => m.clearErrors() },
    { pattern: '*OPC', query: () => '1', set: () => {} },
    { pattern: ':SYSTem:ERRor[:NEXT]', query: (m) => m.popError() },
    {
      pattern: '[:ROUTe]:FUNCtion',
      set: (m, args) => {
        const value = (args[0] ?? '').toUpperCase();
        if (value !== 'ACON' && value !== 'NCON') throw SCPI_ERRORS.illegalValue();
        m.mode = value;
      },
      query: (m) => m.mode,
    },
    {
      pattern: '[:ROUTe]:CONNection:RULE',
      queryArgs: true,
      set: (m, args) => void (m.rule = cardAnd(m, args, ['FREE', 'SROU'] as const)),
      query: (m, args) => (card(m, args[0]), m.rule),
    },
    {
      pattern: '[:ROUTe]:CONNection:SEQuence',
      queryArgs: true,
      set: (m, args) => void (m.sequence = cardAnd(m, args, ['NSEQ', 'BBM', 'MBBR'] as const)),
      query: (m, args) => (card(m, args[0]), m.sequence),
    },
    { pattern: '[:ROUTe]:OPEN:CARD', set: (m, args) => (card(m, args[0]), m.openAll()) },
    {
      pattern: '[:ROUTe]:CLOSe:CARD',
      queryArgs: true,
      query: (m, args) => (card(m, args[0]), toChannelList(m.paths())),
    },
    {
      pattern: '[:ROUTe]:CLOSe[:LIST]',
      queryArgs: true,
      set: (m, args) => m.close(channels(m, args)),
      query: (m, args) =>
        channels(m, args)
          .map((p) => (m.closed.has(keyOf(p)) ? '1' : '0'))
          .join(','),
    },
    {
      pattern: '[:ROUTe]:OPEN[:LIST]',
      queryArgs: true,
      set: (m, args) => m.open(channels(m, args)),
      query: (m, args) =>
        channels(m, args)
          .map((p) => (m.closed.has(keyOf(p)) ? '0' : '1'))
          .join(','),
    },
  ];
  return new CommandTable(specs);
}

/**
 * The 707B's TSP, for the few statements a matrix client sends: the channel functions with a
 * quoted channel list, the connect rule, getclose, and the error queue. A statement it does not
 * know is -285 (syntax), a channel that does not exist -286 (runtime), as TSP reports them.
 */
function k707Execute(m: VirtualMatrix, line: string, serial: string): string[] {
  const text = line.trim();
  const tspNumber = (x: number) => x.toExponential(5).replace(/e([+-])(\d)$/, 'e$10$2');
  const runtime = (message: string) => new ScpiError(-286, `TSP Runtime error at line 1: ${message}`);
  const list = (arg: string, allowSlots: boolean): MatrixPath[] | 'all' => {
    const body = arg.trim();
    if (body === 'allslots' || /^slot[1-6]$/.test(body)) {
      if (!allowSlots) throw runtime(`'${body}' is not allowed here`);
      return 'all';
    }
    try {
      const paths = parseK707Channels(body === '' ? 'nil' : body);
      // The virtual 707B has one card, in slot 1.
      if (paths.some((p) => p.output > K707_COLUMNS_PER_SLOT)) throw new SyntaxError('empty slot');
      return paths;
    } catch {
      throw runtime(`invalid channel list '${body}'`);
    }
  };
  try {
    if (text === '*IDN?') return [`Keithley Instruments Inc., Model 707B, ${serial}, 1.4.0`];
    if (text === '*OPC?') return ['1'];
    if (text === '*RST' || text === 'reset()' || text === 'channel.reset("allslots")') {
      m.reset();
      return [];
    }
    if (text === '*CLS' || text === 'errorqueue.clear()') {
      m.clearErrors();
      return [];
    }
    if (text === 'print(errorqueue.count)') return [tspNumber(m.errorCount())];
    if (text === 'print(errorqueue.next())') {
      const error = m.popErrorEntry();
      return [
        error
          ? `${tspNumber(error.code)}\t${error.message}\t${tspNumber(2)}\t${tspNumber(0)}`
          : `${tspNumber(0)}\tQueue Is Empty\t${tspNumber(0)}\t${tspNumber(0)}`,
      ];
    }
    const rule = /^channel\.connectrule\s*=\s*channel\.(BREAK_BEFORE_MAKE|MAKE_BEFORE_BREAK|OFF)$/.exec(text);
    if (rule) {
      m.sequence =
        rule[1] === 'BREAK_BEFORE_MAKE' ? 'BBM' : rule[1] === 'MAKE_BEFORE_BREAK' ? 'MBBR' : 'NSEQ';
      return [];
    }
    if (text === 'print(channel.getclose("allslots"))') {
      const closed = toK707Channels(m.paths());
      return [closed === '' ? 'nil' : closed];
    }
    const call = /^channel\.(open|close|exclusiveclose)\("([^"]*)"\)$/.exec(text);
    if (call) {
      const [, fn, arg] = call as unknown as [string, string, string];
      const paths = list(arg, fn === 'open');
      if (fn === 'open') {
        if (paths === 'all') m.openAll();
        else m.open(paths);
      } else if (fn === 'close') m.close(paths as MatrixPath[]);
      else m.exclusive(paths as MatrixPath[]);
      return [];
    }
    throw new ScpiError(-285, `TSP Syntax error at line 1: unexpected symbol near '${text.slice(0, 20)}'`);
  } catch (error) {
    m.pushError(error instanceof ScpiError ? error : runtime((error as Error).message));
    return [];
  }
}

export interface MatrixServer {
  matrix: VirtualMatrix;
  port: number;
  resource: string;
  close(): Promise<void>;
}

/** Serves the virtual matrix on TCP; program messages end with LF, replies too. */
export async function startMatrixServer(options: {
  instrument: VirtualInstrument;
  /** The Keysight B2200A (SCPI, default) or the Keithley 707B (TSP, one 8×12 card in slot 1). */
  model?: 'b2200a' | '707b';
  wiring: MatrixWiring;
  host?: string;
  port?: number;
  log?: (message: string) => void;
  trace?: (line: string) => void;
}): Promise<MatrixServer> {
  const host = options.host ?? '127.0.0.1';
  const matrix = new VirtualMatrix(options.instrument, options.wiring, options.log);
  const commands = table();
  const sockets = new Set<Socket>();

  const execute = (line: string): string[] => {
    options.trace?.(line);
    if (options.model === '707b') return k707Execute(matrix, line, 'SIM00707');
    const replies: string[] = [];
    let units;
    try {
      units = parseMessage(line);
    } catch (error) {
      matrix.pushError(error instanceof ScpiError ? error : SCPI_ERRORS.syntax());
      return replies;
    }
    for (const unit of units) {
      try {
        const spec = commands.find(unit);
        if (!spec) throw SCPI_ERRORS.undefinedHeader();
        if (unit.suffixes.some((s) => s !== null)) throw SCPI_ERRORS.headerSuffix();
        if (unit.isQuery && !spec.queryArgs && unit.args.length > 0) throw SCPI_ERRORS.parameterNotAllowed();
        if (unit.isQuery) replies.push(String(spec.query!(matrix, unit.args)));
        else void spec.set!(matrix, unit.args);
      } catch (error) {
        matrix.pushError(
          error instanceof ScpiError
            ? error
            : new ScpiError(-300, `Device-specific error: ${(error as Error).message}`),
        );
      }
    }
    return replies;
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const lines = buffer.split(/\r?\n/);
      buffer = lines.pop() ?? '';
      if (buffer.length > 1 << 16) buffer = '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const replies = execute(line);
        if (replies.length && !socket.destroyed)
          socket.write(`${replies.join(options.model === '707b' ? '\n' : ';')}\n`, 'latin1');
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve((server.address() as AddressInfo).port));
  });
  return {
    matrix,
    port,
    resource: `TCPIP::${host}::${port}::SOCKET`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
