/**
 * A byte link to an instrument. Links implement only the raw operations; the SCPI session above
 * does framing, logging, queuing and timeouts (PyMeasure's adapter template).
 */
export interface TransportHandlers {
  onData(chunk: Buffer): void;
  /** The link went away without close() being called (cable pulled, peer closed). */
  onClose(error?: Error): void;
}

export type TransportKind = 'tcp' | 'serial' | 'prologix' | 'usbtmc' | 'visa';

export interface Transport {
  readonly resource: string;
  readonly kind: TransportKind;
  readonly isOpen: boolean;
  /**
   * A second, independent link to the same instrument can be opened while this one is open
   * (LAN sockets, VISA sessions). A serial port is locked by its first user; a GPIB adapter
   * or a USBTMC device file serves one client.
   */
  readonly allowsSecondLink: boolean;
  open(handlers: TransportHandlers): Promise<void>;
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
  /** Discards bytes in flight where the link can (serial input/output buffers). */
  flush?(): Promise<void>;
  /**
   * Device clear: the instrument drops pending operations and output (GPIB SDC, USBTMC
   * INITIATE_CLEAR, viClear; on Keithley RS-232, the ^C break character). Raw sockets have none.
   */
  clear?(): Promise<void>;
  /**
   * Message-based links deliver a reply only when asked (Prologix "++read eoi", USBTMC, VISA):
   * one request per reply awaited, which may wait up to `timeoutMs` (the session's deadline).
   * `stillWaiting` says whether the reply is still awaited (a read queued behind one in flight
   * may have been answered by it).
   */
  requestRead?(timeoutMs: number, stillWaiting?: () => boolean): Promise<void>;
  /** A new, unopened link to the same instrument, where allowsSecondLink. */
  sibling?(): Transport;
}

/**
 * One read in flight at a time on a message-based link: a request made while one runs is kept
 * (the latest), and made after it only if its reply is still awaited — the read in flight may
 * have brought it. A device clear drops the kept request.
 */
export class ReadRequests {
  private running = false;
  private kept: { timeoutMs: number; stillWaiting: () => boolean } | undefined;

  constructor(private readonly readOne: (timeoutMs: number) => Promise<void>) {}

  async request(timeoutMs: number, stillWaiting: () => boolean = () => true): Promise<void> {
    if (this.running) {
      this.kept = { timeoutMs, stillWaiting };
      return;
    }
    this.running = true;
    try {
      let next: number | undefined = timeoutMs;
      while (next !== undefined) {
        await this.readOne(next);
        const kept = this.kept;
        this.kept = undefined;
        next = kept?.stillWaiting() ? kept.timeoutMs : undefined;
      }
    } finally {
      this.running = false;
    }
  }

  /** After a device clear: nothing read for requests made before it. */
  drop(): void {
    this.kept = undefined;
  }
}
