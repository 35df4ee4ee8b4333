import { ReramError } from '../../shared/errors';

export class TransportError extends ReramError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('TRANSPORT', message, details);
    this.name = 'TransportError';
  }
}

export class ConnectionLostError extends ReramError {
  constructor(message: string) {
    super('CONNECTION_LOST', message);
    this.name = 'ConnectionLostError';
  }
}

export class ScpiTimeoutError extends ReramError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    extra = '',
  ) {
    super('TIMEOUT', `No reply to '${command}' within ${timeoutMs} ms${extra}`, { command, timeoutMs });
    this.name = 'ScpiTimeoutError';
  }
}

export class ScpiParseError extends ReramError {
  constructor(
    readonly command: string,
    readonly reply: string,
    expected: string,
  ) {
    super('SCPI_PARSE', `Malformed reply to '${command}': expected ${expected}, got '${printable(reply)}'`, {
      command,
      reply,
    });
    this.name = 'ScpiParseError';
  }
}

/** A reply outgrew the bound without its read terminator: almost always a terminator mismatch. */
export class ScpiFramingError extends ReramError {
  constructor(resource: string, bytes: number, readTerminator: string) {
    super(
      'FRAMING',
      `${resource} sent ${bytes} bytes without the read terminator (${readTerminator}); the reply was discarded. Check that the read terminator setting (--read-term) matches the instrument's own (on a 2400: MENU > COMMUNICATION > RS-232 > TERMINATOR).`,
      { bytes, readTerminator },
    );
    this.name = 'ScpiFramingError';
  }
}

/** A queued command dropped because "output off" took the link first. */
export class PreemptedError extends ReramError {
  constructor() {
    super('PREEMPTED', 'Dropped: the output was being switched off.');
    this.name = 'PreemptedError';
  }
}

export interface InstrumentErrorEntry {
  code: number;
  message: string;
}

/** Errors the instrument itself reported through :SYST:ERR?, with its own text. */
export class InstrumentError extends ReramError {
  constructor(
    readonly entries: InstrumentErrorEntry[],
    context: string,
  ) {
    super(
      'INSTRUMENT',
      `The instrument reported ${entries.length === 1 ? 'an error' : `${entries.length} errors`} ${context}: ${entries.map((e) => `${e.code},"${e.message}"`).join('; ')}`,
      { entries },
    );
    this.name = 'InstrumentError';
  }
}

export class SafetyError extends ReramError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('SAFETY', message, details);
    this.name = 'SafetyError';
  }
}

/** Control characters shown as escapes, long replies cut, so an error message stays readable. */
export function printable(text: string, max = 120): string {
  const escaped = [...text]
    .map((ch) => {
      const code = ch.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0xff) ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
    })
    .join('');
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
