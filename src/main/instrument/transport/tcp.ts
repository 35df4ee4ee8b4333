import { Socket } from 'node:net';
import { ConnectionLostError, TransportError } from '../errors';
import type { Transport, TransportHandlers } from './transport';

/** LAN raw socket (SCPI over TCP, port 5025 on Keithley 2450 and Keysight B2900). */
export class TcpTransport implements Transport {
  readonly kind = 'tcp' as const;
  /** LAN instruments accept another socket while one is open (used to switch off when this one hangs). */
  readonly allowsSecondLink = true;
  private socket: Socket | undefined;
  private closing = false;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly connectTimeoutMs = 5000,
  ) {}

  get resource(): string {
    return `TCPIP::${this.host}::${this.port}::SOCKET`;
  }

  get isOpen(): boolean {
    return Boolean(this.socket && !this.socket.destroyed && !this.closing);
  }

  open(handlers: TransportHandlers): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new TransportError(
            `No answer from ${this.host}:${this.port} within ${this.connectTimeoutMs} ms (is the instrument on the network?)`,
          ),
        );
      }, this.connectTimeoutMs);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new TransportError(`Cannot connect to ${this.host}:${this.port}: ${error.code ?? error.message}`, {
            code: error.code,
          }),
        );
      });
      socket.connect(this.port, this.host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        // Keep-alive notices a dead peer on an idle link (cable pulled between commands).
        socket.setKeepAlive(true, 2000);
        socket.on('data', (chunk) => handlers.onData(chunk));
        socket.on('error', () => {});
        socket.on('close', (hadError) => {
          if (!this.closing) handlers.onClose(hadError ? new Error('socket error') : undefined);
        });
        this.socket = socket;
        resolve();
      });
    });
  }

  write(data: Buffer): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable) {
      return Promise.reject(
        new ConnectionLostError(
          `Lost the connection to ${this.resource}. Check the cable and the instrument.`,
        ),
      );
    }
    return new Promise((resolve, reject) =>
      socket.write(data, (error) =>
        error
          ? reject(new ConnectionLostError(`Lost the connection to ${this.resource} (${error.message}).`))
          : resolve(),
      ),
    );
  }

  sibling(): TcpTransport {
    return new TcpTransport(this.host, this.port, Math.min(this.connectTimeoutMs, 2000));
  }

  close(): Promise<void> {
    this.closing = true;
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }
}
