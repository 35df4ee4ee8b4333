import type { SerialPort as SerialPortType } from 'serialport';
import { ConnectionLostError, TransportError } from '../errors';
import type { SerialSettings } from './resource';
import type { Transport, TransportHandlers } from './transport';

/** RS-232 (Keithley 2400 family): baud, data bits, parity, stop bits, flow none or XON/XOFF. */
export class SerialTransport implements Transport {
  readonly kind = 'serial' as const;
  /** The port is locked by this link: a second one cannot open it. */
  readonly allowsSecondLink = false;
  private port: SerialPortType | undefined;
  private closing = false;

  constructor(
    readonly path: string,
    readonly settings: SerialSettings,
  ) {}

  get resource(): string {
    return `ASRL${this.path}::INSTR`;
  }

  get isOpen(): boolean {
    return Boolean(this.port?.isOpen && !this.closing);
  }

  async open(handlers: TransportHandlers): Promise<void> {
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({
      path: this.path,
      baudRate: this.settings.baudRate,
      dataBits: this.settings.dataBits,
      parity: this.settings.parity,
      stopBits: this.settings.stopBits,
      rtscts: false,
      xon: this.settings.flow === 'xonxoff',
      xoff: this.settings.flow === 'xonxoff',
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((error) =>
        error
          ? reject(new TransportError(`Cannot open serial port ${this.path}: ${error.message}`))
          : resolve(),
      ),
    );
    port.on('data', (chunk: Buffer) => handlers.onData(chunk));
    port.on('error', () => {});
    port.on('close', (error?: Error) => {
      if (!this.closing) handlers.onClose(error ?? new Error('serial port closed'));
    });
    this.port = port;
  }

  write(data: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen)
      return Promise.reject(
        new ConnectionLostError(`The serial port ${this.path} is closed (adapter unplugged?).`),
      );
    return new Promise((resolve, reject) => {
      port.write(data, (error) => {
        if (error) return reject(new ConnectionLostError(`Writing to ${this.path} failed: ${error.message}`));
        port.drain((drainError) =>
          drainError
            ? reject(new ConnectionLostError(`Writing to ${this.path} failed: ${drainError.message}`))
            : resolve(),
        );
      });
    });
  }

  flush(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.flush(() => resolve()));
  }

  /**
   * Keithley's RS-232 device clear: a ^C "clears any pending operation and discards any pending
   * output" (2400 User's Manual, RS-232 interface operation). Our buffers are discarded too.
   */
  async clear(): Promise<void> {
    await this.flush();
    await this.write(Buffer.from([0x03]));
  }

  close(): Promise<void> {
    this.closing = true;
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }
}
