/**
 * An SCPI session over any transport: one command in flight (a queue), terminator framing that
 * survives chunked and partial reads, a timeout per query, resynchronisation after a timeout
 * (late replies are discarded), typed errors, and a traffic log.
 */
import { TERMINATORS, type Terminator } from '../transport/resource';
import type { Transport } from '../transport/transport';
import {
  ConnectionLostError,
  InstrumentError,
  printable,
  ScpiParseError,
  ScpiTimeoutError,
  type InstrumentErrorEntry,
} from '../errors';
import { parseIdn, type Identity } from './idn';

export interface SessionOptions {
  /** Write and read terminator (LAN: LF; the 2400's RS-232 is configurable). */
  terminator?: Terminator;
  timeoutMs?: number;
  /** Traffic log: '>' for what we send, '<' for what we receive. */
  log?: (direction: '>' | '<' | '!', text: string) => void;
}

interface PendingRead {
  resolve(line: string): void;
  reject(error: Error): void;
}

export class ScpiSession {
  readonly timeoutMs: number;
  private readonly terminator: string;
  private readonly log: NonNullable<SessionOptions['log']>;
  private buffer = '';
  private pending: PendingRead | undefined;
  private readonly lines: string[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private lost: Error | undefined;
  private needsResync = false;
  private closeListeners = new Set<(error: Error) => void>();

  constructor(
    readonly transport: Transport,
    options: SessionOptions = {},
  ) {
    this.terminator = TERMINATORS[options.terminator ?? 'LF'];
    this.timeoutMs = options.timeoutMs ?? 5000;
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
    this.pending?.reject(this.lost);
    this.pending = undefined;
    await this.transport.close();
  }

  private connectionLost(error?: Error): void {
    if (this.lost) return;
    this.lost = new ConnectionLostError(
      `Lost the connection to ${this.resource}${error?.message ? ` (${error.message})` : ''}. Check the cable and the instrument.`,
    );
    this.log('!', 'connection lost');
    this.pending?.reject(this.lost);
    this.pending = undefined;
    for (const listener of this.closeListeners) listener(this.lost);
  }

  /** Splits the byte stream into lines on the read terminator, however the bytes arrive. */
  private receive(text: string): void {
    this.buffer += text;
    const end = this.terminator[this.terminator.length - 1]!;
    let index: number;
    while ((index = this.buffer.indexOf(end)) >= 0) {
      let line = this.buffer.slice(0, index);
      this.buffer = this.buffer.slice(index + 1);
      // Be lenient with the other half of a CR/LF pair (instruments set to LFCR, CRLF…).
      line = line.replace(/\r$/, '').replace(/^\n/, '');
      this.log('<', line);
      if (this.pending) {
        const pending = this.pending;
        this.pending = undefined;
        pending.resolve(line);
      } else {
        this.lines.push(line);
      }
    }
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.chain.then(operation, operation);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async send(command: string): Promise<void> {
    if (this.lost) throw this.lost;
    this.log('>', command);
    await this.transport.write(Buffer.from(command + this.terminator, 'latin1'));
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
    await this.send('*CLS');
    await this.send('*OPC?');
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new ScpiTimeoutError(
          '*OPC?',
          this.timeoutMs,
          ' while resynchronising after a timeout: the instrument is not answering',
        );
      const line = await this.readLine('*OPC?', remaining);
      if (line.trim() === '1') break;
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
      if (this.lines.length) {
        for (const line of this.lines.splice(0)) this.log('!', `discarded unsolicited '${printable(line)}'`);
      }
      await this.send(command);
      return this.readLine(command, options.timeoutMs ?? this.timeoutMs);
    });
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

  /** Reads :SYST:ERR? until "0,No error" (at most 32 entries). */
  async drainErrors(): Promise<InstrumentErrorEntry[]> {
    const entries: InstrumentErrorEntry[] = [];
    for (let i = 0; i < 32; i++) {
      const reply = await this.query(':SYST:ERR?');
      const match = /^\s*([+-]?\d+)\s*,\s*"?(.*?)"?\s*$/.exec(reply);
      if (!match) throw new ScpiParseError(':SYST:ERR?', reply, '<code>,"<message>"');
      const code = Number(match[1]);
      if (code === 0) break;
      entries.push({ code, message: match[2]!.split(';')[0]! });
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
