/**
 * GPIB through a Prologix-style adapter (GPIB-USB on a serial port, GPIB-ETHERNET on TCP 1234).
 * The adapter is configured with "++" commands (controller mode, address, EOI, no automatic
 * read-after-write); data is escaped (ESC before CR, LF, ESC and '+'); a reply is requested with
 * "++read eoi", and asked again only when the adapter's own read timeout (++read_tmo_ms) passed
 * with no byte of it: a re-arm while a read is running makes the adapter address the instrument
 * again after the reply, with nothing to say (-420 Query UNTERMINATED). "++savecfg 0" goes only
 * to a real Prologix (++ver first): an AR488 writes its EEPROM on every ++savecfg. Device clear
 * is "++clr" (SDC).
 */
import { ReramError } from '../../../shared/errors';
import { TransportError } from '../errors';
import type { Transport, TransportHandlers } from './transport';

const ESC = 0x1b;
const SPECIAL = new Set([0x0a, 0x0d, ESC, 0x2b]);
/**
 * The adapter's read timeout (++read_tmo_ms): a reply not started by then needs another ++read.
 * Short, so that a read that does go out with nothing to read holds the bus only briefly.
 */
const ADAPTER_READ_TIMEOUT_MS = 500;
/** After the adapter's timeout, how long to wait for its first byte before asking again. */
const REARM_MARGIN_MS = 200;

export function escapeGpibData(body: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of body) {
    if (SPECIAL.has(byte)) out.push(ESC);
    out.push(byte);
  }
  return Buffer.from(out);
}

export class PrologixTransport implements Transport {
  readonly kind = 'prologix' as const;
  readonly allowsSecondLink = false;
  private handlers: TransportHandlers | undefined;
  private configuring = true;
  private adapterLine = '';
  private adapterReply: ((line: string) => void) | undefined;
  private readPending = false;
  private rearm: ReturnType<typeof setTimeout> | undefined;
  /** Bytes received since the last ++read went out: the adapter is delivering, leave it be. */
  private bytesSinceRead = false;
  private stillWaiting: () => boolean = () => true;
  /** The adapter's identification (++ver), once opened. */
  version = '';

  constructor(
    private readonly adapter: Transport,
    readonly address: number,
    readonly secondary: number | null,
    readonly resource: string,
  ) {}

  get isOpen(): boolean {
    return this.adapter.isOpen;
  }

  private command(text: string): Promise<void> {
    return this.adapter.write(Buffer.from(`${text}\n`, 'latin1'));
  }

  /** An adapter command's reply (before the session owns the stream). */
  private ask(text: string, timeoutMs = 1500): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.adapterReply = undefined;
        reject(
          new TransportError(
            `The GPIB adapter at ${this.adapter.resource} did not answer '${text}': is it a Prologix-compatible adapter?`,
          ),
        );
      }, timeoutMs);
      this.adapterReply = (line) => {
        clearTimeout(timer);
        this.adapterReply = undefined;
        resolve(line);
      };
      this.command(text).catch(reject);
    });
  }

  async open(handlers: TransportHandlers): Promise<void> {
    this.handlers = handlers;
    await this.adapter.open({
      onData: (chunk) => {
        if (this.configuring) {
          this.adapterLine += chunk.toString('latin1');
          const end = this.adapterLine.search(/\r?\n/);
          if (end >= 0) {
            const line = this.adapterLine.slice(0, end);
            this.adapterLine = '';
            this.adapterReply?.(line);
          }
          return;
        }
        this.bytesSinceRead = true;
        if (chunk.includes(0x0a)) this.stopReading();
        handlers.onData(chunk);
      },
      onClose: (error) => handlers.onClose(error),
    });
    try {
      this.version = (await this.ask('++ver')).trim();
      if (!/prologix|gpib/i.test(this.version))
        throw new TransportError(
          `${this.adapter.resource} answered '++ver' with '${this.version.slice(0, 60)}', not as a GPIB adapter.`,
        );
      // A Prologix: the settings below are for this session, not its EEPROM. Not to an AR488,
      // whose ++savecfg writes the EEPROM each time.
      if (/prologix/i.test(this.version)) await this.command('++savecfg 0');
      await this.command('++mode 1');
      await this.command('++auto 0');
      await this.command(`++addr ${this.address}${this.secondary === null ? '' : ` ${this.secondary + 96}`}`);
      await this.command('++eoi 1');
      await this.command('++eos 2');
      await this.command('++eot_enable 0');
      await this.command(`++read_tmo_ms ${ADAPTER_READ_TIMEOUT_MS}`);
    } catch (error) {
      await this.adapter.close();
      throw error instanceof ReramError ? error : new TransportError((error as Error).message);
    }
    this.configuring = false;
  }

  /** Sends ++read eoi, and asks again only if the adapter's timeout passes without a byte. */
  private armRead(): Promise<void> {
    this.bytesSinceRead = false;
    this.watch();
    return this.command('++read eoi');
  }

  private watch(): void {
    if (this.rearm) clearTimeout(this.rearm);
    this.rearm = setTimeout(() => {
      this.rearm = undefined;
      if (!this.readPending || !this.stillWaiting()) return this.stopReading();
      if (this.bytesSinceRead) {
        // The reply is arriving (a long one): wait for the rest; do not address the instrument again.
        this.bytesSinceRead = false;
        return this.watch();
      }
      void this.armRead().catch(() => undefined);
    }, ADAPTER_READ_TIMEOUT_MS + REARM_MARGIN_MS);
    this.rearm.unref?.();
  }

  private stopReading(): void {
    this.readPending = false;
    if (this.rearm) clearTimeout(this.rearm);
    this.rearm = undefined;
  }

  /** One program message: its body escaped, then an unescaped LF that the adapter turns into EOS + EOI. */
  write(data: Buffer): Promise<void> {
    let body = data;
    while (body.length && (body[body.length - 1] === 0x0a || body[body.length - 1] === 0x0d))
      body = body.subarray(0, -1);
    return this.adapter.write(Buffer.concat([escapeGpibData(body), Buffer.from([0x0a])]));
  }

  requestRead(_timeoutMs: number, stillWaiting: () => boolean = () => true): Promise<void> {
    this.stillWaiting = stillWaiting;
    this.readPending = true;
    return this.armRead();
  }

  clear(): Promise<void> {
    this.stopReading();
    return this.command('++clr');
  }

  async flush(): Promise<void> {
    await this.adapter.flush?.();
  }

  async close(): Promise<void> {
    this.stopReading();
    this.handlers = undefined;
    await this.adapter.close();
  }
}

/**
 * Finds the instruments on a GPIB bus behind a Prologix-style adapter: *IDN? at every primary
 * address, each with a short read timeout (what `pyvisa-shell list` does through VISA).
 */
export async function scanGpibBus(
  adapter: Transport,
  options: { board?: number; timeoutMs?: number } = {},
): Promise<Array<{ resource: string; idn: string }>> {
  let buffer = '';
  let waiter: (() => void) | undefined;
  await adapter.open({
    onData: (chunk) => {
      buffer += chunk.toString('latin1');
      waiter?.();
    },
    onClose: () => waiter?.(),
  });
  const send = (text: string) => adapter.write(Buffer.from(`${text}\n`, 'latin1'));
  const line = async (timeoutMs: number): Promise<string | undefined> => {
    const deadline = Date.now() + timeoutMs;
    while (!/\r?\n/.test(buffer) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
      waiter = undefined;
    }
    const match = /\r?\n/.exec(buffer);
    if (!match) return undefined;
    const text = buffer.slice(0, match.index);
    buffer = buffer.slice(match.index + match[0].length);
    return text;
  };
  const found: Array<{ resource: string; idn: string }> = [];
  try {
    const timeoutMs = options.timeoutMs ?? 300;
    // ++savecfg 0 to a Prologix only: an AR488 writes its EEPROM on every ++savecfg.
    await send('++ver');
    if (/prologix/i.test((await line(1500)) ?? '')) await send('++savecfg 0');
    for (const command of ['++mode 1', '++auto 0', '++eoi 1', '++eos 2', '++eot_enable 0'])
      await send(command);
    await send(`++read_tmo_ms ${Math.min(3000, timeoutMs)}`);
    for (let address = 1; address <= 30; address++) {
      buffer = '';
      await send(`++addr ${address}`);
      await send('*IDN?');
      await send('++read eoi');
      const idn = await line(timeoutMs + 100);
      if (idn?.trim())
        found.push({ resource: `GPIB${options.board ?? 0}::${address}::INSTR`, idn: idn.trim() });
    }
  } finally {
    await adapter.close();
  }
  return found;
}
