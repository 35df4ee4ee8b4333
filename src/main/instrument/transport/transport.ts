/**
 * A byte link to an instrument. Transports implement only the raw operations; the SCPI session
 * above does framing, logging, queuing and timeouts (PyMeasure's adapter template).
 */
export interface TransportHandlers {
  onData(chunk: Buffer): void;
  /** The link went away without close() being called (cable pulled, peer closed). */
  onClose(error?: Error): void;
}

export interface Transport {
  readonly resource: string;
  readonly kind: 'tcp' | 'serial';
  readonly isOpen: boolean;
  open(handlers: TransportHandlers): Promise<void>;
  write(data: Buffer): Promise<void>;
  close(): Promise<void>;
  /** Discards bytes in flight where the link can (serial input/output buffers). */
  flush?(): Promise<void>;
}
