/**
 * An SCPI session over any link: one command in flight (an explicit queue), separate write and
 * read terminators, framing that survives chunked and partial reads within a bounded buffer, a
 * timeout per query, resynchronisation after a timeout (late replies are discarded), typed
 * errors, a traffic log — and `urgent()`, which drops everything queued so that "output off"
 * reaches the instrument first.
 */
import { TERMINATORS, type Terminator } from '../transport/resource';
import type { Transport } from '../transport/transport';
import {
  ConnectionLostError,
  InstrumentError,
  PreemptedError,
  printable,
  ScpiFramingError,
  ScpiParseError,
  ScpiTimeoutError,
  type InstrumentErrorEntry,
} from '../errors';
import { parseIdn, type Identity } from './idn';

/** Longest reply accepted without a read terminator: far above any reading block we ask for. */
export const DEFAULT_MAX_REPLY_BYTES = 4 * 1024 * 1024;

export interface SessionOptions {
  /** What we append to each command (the 2400's RS-232 executes on CR; LAN: LF). */
  writeTerminator?: Terminator;
  /** What ends each reply (the instrument's TERMINATOR setting; LAN: LF). */
  readTerminator?: Terminator;
  timeoutMs?: number;
  maxReplyBytes?: number;
  /** Traffic log: '>' for what we send, '<' for what we receive, '!' for events. */
  log?: (direction: '>' | '<' | '!', text: string) => void;
}

interface PendingRead {
  resolve(line: string): void;
  reject(error: Error): void;
}

interface QueuedOperation {
  run(): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The raw operations urgent() gets: they bypass the queue, which urgent() owns meanwhile. */
export interface UrgentLink {
  /** Device clear where the link has one (GPIB SDC, USBTMC clear, the 2400's RS-232 ^C). */
  clear(): Promise<boolean>;
  write(command: string): Promise<void>;
  /** Sends a query and reads lines until `accept` takes one (stale replies are skipped), or times out. */
  queryUntil(command: string, accept: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

/**
 * What differs between command languages on one line session: how the error queue is read.
 * SCPI: `:SYST:ERR?` → `-113,"Undefined header"`. TSP (Keithley 2600B): `print(errorqueue.next())`
 * → code, message, severity and node, tab-separated, the code printed as a float.
 */
export interface SessionConventions {
  language: 'SCPI' | 'TSP' | 'FLEX' | 'KXCI';
  errorQuery: string;
  /** One error entry (code 0: the queue is empty), or undefined for a reply of another form. */
  parseError(reply: string): InstrumentErrorEntry | undefined;
  /**
   * A query answered once the instrument has worked through everything before it, whose reply
   * cannot be mistaken for another (default *OPC? → 1): waits, and resynchronises after a timeout.
   */
  sync?: { query: string; accept(line: string): boolean; expected: string };
}

const OPC_SYNC = { query: '*OPC?', accept: (line: string) => line.trim() === '1', expected: '1' };

export const SCPI_CONVENTIONS: SessionConventions = {
  language: 'SCPI',
  errorQuery: ':SYST:ERR?',
  parseError: (reply) => {
    const match = /^\s*([+-]?\d+)\s*,\s*"?(.*?)"?\s*$/.exec(reply);
    return match ? { code: Number(match[1]), message: match[2]!.split(';')[0]! } : undefined;
  },
};

export const TSP_CONVENTIONS: SessionConventions = {
  language: 'TSP',
  errorQuery: 'print(errorqueue.next())',
  parseError: (reply) => {
    const [code, message] = reply.split('\t');
    const value = Number(code);
    if (message === undefined || !Number.isFinite(value)) return undefined;
    return { code: Math.round(value), message: message.trim() };
  },
};

/** Keysight FLEX (B1500A): ERRX? returns the oldest error as code,"message" (0,"No Error." when empty). */
export const FLEX_CONVENTIONS: SessionConventions = {
  language: 'FLEX',
  errorQuery: 'ERRX?',
  parseError: SCPI_CONVENTIONS.parseError,
};

/**
 * Keithley 4200A KXCI: no error queue, only the status byte (`SP`), whose bit 1 flags a syntax
 * error; we take a read as clearing it, as a serial poll does. `*OPC?` is not in KXCI: `ID`
 * resynchronises.
 */
export const KXCI_CONVENTIONS: SessionConventions = {
  language: 'KXCI',
  errorQuery: 'SP',
  parseError: (reply) => {
    const text = reply.trim();
    if (!/^\d{1,3}$/.test(text) || Number(text) > 255) return undefined;
    return (Number(text) & 2) !== 0
      ? { code: 2, message: `syntax error (status byte ${text}, bit 1)` }
      : { code: 0, message: '' };
  },
  sync: { query: 'ID', accept: (line) => /^KI4200/.test(line.trim()), expected: 'KI4200A V<version>' },
};

export class ScpiSession {
  /** How this instrument's error queue is read; a TSP driver swaps in TSP_CONVENTIONS. */
  conventions: SessionConventions = SCPI_CONVENTIONS;
  readonly timeoutMs: number;
  readonly writeTerminator: Terminator;
  readonly readTerminator: Terminator;
  private readonly writeSuffix: string;
  private readonly readEnd: string;
  private readonly maxReplyBytes: number;
  private readonly log: NonNullable<SessionOptions['log']>;
  private buffer = '';
  /** Where the next search for the terminator starts: bytes before it hold none. */
  private scanFrom = 0;
  private pending: PendingRead | undefined;
  private readonly lines: string[] = [];
  private readonly queue: QueuedOperation[] = [];
  private running = false;
  private lost: Error | undefined;
  private needsResync = false;
  private readonly closeListeners = new Set<(error: Error) => void>();

  constructor(
    readonly transport: Transport,
    options: SessionOptions = {},
  ) {
    this.writeTerminator = options.writeTerminator ?? 'LF';
    this.readTerminator = options.readTerminator ?? options.writeTerminator ?? 'LF';
    this.writeSuffix = TERMINATORS[this.writeTerminator];
    // Lines end on the terminator's last byte; the other half of a CR/LF pair is trimmed off.
    this.readEnd = TERMINATORS[this.readTerminator].slice(-1);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
    this.log = options.log ?? (() => {});
  }

  get resource(): string {
    return this.transport.resource;
  }

  get connected(): boolean {
    return !this.lost && this.transport.isOpen;
  }

  async open(): Promise<void> {
    await this.transport.open({
      onData: (chunk) => this.receive(chunk.toString('latin1')),
      onClose: (error) => this.connectionLost(error),
    });
  }

  onConnectionLost(listener: (error: Error) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.lost ??= new ConnectionLostError(`Session to ${this.resource} was closed.`);
    this.failAll(this.lost);
    await this.transport.close();
  }

  private failAll(error: Error): void {
    this.pending?.reject(error);
    this.pending = undefined;
    for (const operation of this.queue.splice(0)) operation.reject(error);
  }

  private connectionLost(error?: Error): void {
    if (this.lost) return;
    this.lost = new ConnectionLostError(
      `Lost the connection to ${this.resource}${error?.message ? ` (${error.message})` : ''}. Check the cable and the instrument.`,
    );
    this.log('!', 'connection lost');
    this.failAll(this.lost);
    for (const listener of this.closeListeners) listener(this.lost);
  }

  /** Splits the byte stream into lines on the read terminator, however the bytes arrive. */
  private receive(text: string): void {
    this.buffer += text;
    let index: number;
    while ((index = this.buffer.indexOf(this.readEnd, this.scanFrom)) >= 0) {
      const line = this.buffer.slice(0, index).replace(/\r$/, '').replace(/^\n/, '');
      this.buffer = this.buffer.slice(index + 1);
      this.scanFrom = 0;
      this.deliver(line);
    }
    this.scanFrom = this.buffer.length;
    if (this.buffer.length > this.maxReplyBytes) this.overflow();
  }

  private deliver(line: string): void {
    this.log('<', line);
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      pending.resolve(line);
    } else {
      this.lines.push(line);
      // Nobody asked: keep only a few, so a chattering device cannot grow memory.
      if (this.lines.length > 64) this.lines.shift();
    }
  }

  /** A reply without its terminator outgrew the bound: the terminator setting must be wrong. */
  private overflow(): void {
    const size = this.buffer.length;
    this.buffer = '';
    this.scanFrom = 0;
    this.needsResync = true;
    const error = new ScpiFramingError(this.resource, size, this.readTerminator);
    this.log('!', error.message);
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }

  private kick(): void {
    if (this.running) return;
    const next = this.queue.shift();
    if (!next) return;
    this.running = true;
    void next
      .run()
      .then(next.resolve, next.reject)
      .finally(() => {
        this.running = false;
        this.kick();
      });
  }

  private enqueue<T>(run: () => Promise<T>, front = false): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<T>((resolve, reject) => {
      const operation: QueuedOperation = {
        run,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (front) this.queue.unshift(operation);
      else this.queue.push(operation);
      this.kick();
    });
  }

  private async send(command: string): Promise<void> {
    if (this.lost) throw this.lost;
    this.log('>', command);
    await this.transport.write(Buffer.from(command + this.writeSuffix, 'latin1'));
  }

  private readLine(command: string, timeoutMs: number): Promise<string> {
    if (this.lost) return Promise.reject(this.lost);
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.needsResync = true;
        reject(new ScpiTimeoutError(command, timeoutMs));
      }, timeoutMs);
      this.pending = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      // Message-based links (GPIB adapters, USBTMC, VISA) deliver a reply only when asked.
      this.transport
        .requestRead?.(timeoutMs, () => this.pending !== undefined)
        .catch((error: unknown) => this.pending?.reject(error as Error));
    });
  }

  /**
   * After a timeout a late reply may still arrive and would be taken as the answer to the next
   * query. Clear the link and the status, then read until *OPC? answers, discarding the rest.
   */
  private async resync(): Promise<void> {
    if (!this.needsResync) return;
    await this.transport.flush?.();
    this.lines.length = 0;
    this.buffer = '';
    this.scanFrom = 0;
    const sync = this.conventions.sync ?? OPC_SYNC;
    await this.send(sync.query);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new ScpiTimeoutError(
          sync.query,
          this.timeoutMs,
          ' while resynchronising after a timeout: the instrument is not answering',
        );
      const line = await this.readLine(sync.query, remaining);
      if (sync.accept(line)) break;
      this.log('!', `discarded stale reply '${printable(line)}'`);
    }
    this.needsResync = false;
  }

  write(command: string): Promise<void> {
    return this.enqueue(() => this.send(command));
  }

  query(command: string, options: { timeoutMs?: number } = {}): Promise<string> {
    return this.enqueue(async () => {
      await this.resync();
      for (const line of this.lines.splice(0)) this.log('!', `discarded unsolicited '${printable(line)}'`);
      await this.send(command);
      return this.readLine(command, options.timeoutMs ?? this.timeoutMs);
    });
  }

  /**
   * Runs `action` before anything else: every queued operation is rejected (PreemptedError),
   * a reply being waited for is abandoned, and the queue is held until `action` finishes.
   * This is how "output off" pre-empts a stalled or busy session instead of waiting behind it.
   */
  urgent<T>(action: (link: UrgentLink) => Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    const preempted = new PreemptedError();
    for (const operation of this.queue.splice(0)) operation.reject(preempted);
    if (this.pending) {
      const pending = this.pending;
      this.pending = undefined;
      this.needsResync = true;
      pending.reject(preempted);
    }
    return this.enqueue(() => {
      const link: UrgentLink = {
        clear: async () => {
          if (!this.transport.clear) return false;
          this.log('!', 'device clear');
          await this.transport.clear();
          return true;
        },
        write: (command) => this.send(command),
        queryUntil: async (command, accept, timeoutMs) => {
          this.lines.length = 0;
          await this.send(command);
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const remaining = deadline - Date.now();
            if (remaining <= 0) throw new ScpiTimeoutError(command, timeoutMs);
            const line = await this.readLine(command, remaining);
            if (accept(line)) return line;
            this.log('!', `discarded stale reply '${printable(line)}'`);
          }
        },
      };
      // Whatever was in flight may still answer: the next ordinary query resynchronises first.
      this.needsResync = true;
      return action(link);
    }, true);
  }

  /** A reply of comma-separated numbers; throws ScpiParseError on anything else. */
  async queryNumbers(
    command: string,
    options: { count?: number; multipleOf?: number; timeoutMs?: number } = {},
  ): Promise<number[]> {
    const reply = await this.query(command, options);
    return parseNumbers(command, reply, options);
  }

  async queryBoolean(command: string): Promise<boolean> {
    const reply = (await this.query(command)).trim().toUpperCase();
    if (reply === '1' || reply === 'ON') return true;
    if (reply === '0' || reply === 'OFF') return false;
    throw new ScpiParseError(command, reply, '0 or 1');
  }

  /** Waits for the instrument to finish pending operations. */
  async opc(timeoutMs?: number): Promise<void> {
    const reply = await this.query('*OPC?', timeoutMs === undefined ? {} : { timeoutMs });
    if (reply.trim() !== '1') throw new ScpiParseError('*OPC?', reply, '1');
  }

  /** The query sync() sends: *OPC?, or the conventions' own. */
  get syncQuery(): string {
    return (this.conventions.sync ?? OPC_SYNC).query;
  }

  /** Waits until the instrument has worked through everything sent (*OPC?, or the conventions' own query). */
  async sync(timeoutMs?: number): Promise<void> {
    const sync = this.conventions.sync ?? OPC_SYNC;
    const reply = await this.query(sync.query, timeoutMs === undefined ? {} : { timeoutMs });
    if (!sync.accept(reply)) throw new ScpiParseError(sync.query, reply, sync.expected);
  }

  /** Reads the error queue until it is empty (at most 32 entries). */
  async drainErrors(): Promise<InstrumentErrorEntry[]> {
    const entries: InstrumentErrorEntry[] = [];
    const { errorQuery, parseError, language } = this.conventions;
    for (let i = 0; i < 32; i++) {
      const reply = await this.query(errorQuery);
      const entry = parseError(reply);
      if (!entry)
        throw new ScpiParseError(
          errorQuery,
          reply,
          language === 'TSP'
            ? 'code<TAB>message<TAB>severity<TAB>node'
            : language === 'KXCI'
              ? 'the status byte, 0–255'
              : '<code>,"<message>"',
        );
      if (entry.code === 0) break;
      entries.push(entry);
    }
    return entries;
  }

  /** Throws an InstrumentError with the instrument's own text if its error queue is not empty. */
  async checkErrors(context: string): Promise<void> {
    const entries = await this.drainErrors();
    if (entries.length) throw new InstrumentError(entries, context);
  }

  async identify(): Promise<Identity> {
    const reply = await this.query('*IDN?');
    return parseIdn(reply);
  }
}

export function parseNumbers(
  command: string,
  reply: string,
  options: { count?: number; multipleOf?: number } = {},
): number[] {
  const parts = reply.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  const expected = options.count ? `${options.count} number(s)` : 'comma-separated numbers';
  if (
    parts.some((p) => p === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(p)) ||
    values.some((v) => !Number.isFinite(v))
  ) {
    throw new ScpiParseError(command, reply, expected);
  }
  if (options.count !== undefined && values.length !== options.count)
    throw new ScpiParseError(command, reply, expected);
  if (options.multipleOf !== undefined && values.length % options.multipleOf !== 0) {
    throw new ScpiParseError(command, reply, `a multiple of ${options.multipleOf} numbers`);
  }
  return values;
}
