import type { InstrumentIdentity } from '../../../shared/run';
import { ScpiParseError } from '../errors';

export type Identity = InstrumentIdentity;

/** "KEITHLEY INSTRUMENTS INC.,MODEL 2400,1234567,C30 …" → make, model "2400", serial, firmware. */
export function parseIdn(reply: string): Identity {
  const parts = reply.split(',').map((p) => p.trim());
  if (parts.length < 4 || !parts[0] || !parts[1])
    throw new ScpiParseError('*IDN?', reply, 'make,model,serial,firmware');
  return {
    make: parts[0],
    model: parts[1].replace(/^MODEL\s+/i, ''),
    serial: parts[2] ?? '',
    firmware: parts.slice(3).join(',').replace(/\s+/g, ' '),
    raw: reply.trim(),
  };
}

/**
 * KXCI's `ID`: "KI4200A V1.16" (model, then the KXCI/Clarius version). No serial number: the
 * virtual 4200A adds its own "SIM…" serial after the version, which is where it is read from.
 */
export function parseKxciId(reply: string): Identity {
  const match = /^KI(4200A?)\s+(V\S+)(.*)$/.exec(reply.trim());
  if (!match) throw new ScpiParseError('ID', reply, 'KI4200A V<version>');
  return {
    make: 'KEITHLEY INSTRUMENTS',
    model: `${match[1]}-SCS`,
    serial: /\b(SIM\w+)/.exec(match[3]!)?.[1] ?? '',
    firmware: match[2]!,
    raw: reply.trim(),
  };
}

/** The virtual SMU identifies with a serial starting "SIM"; it also understands :SIM:CELL. */
export function isVirtual(identity: Identity): boolean {
  return identity.serial.startsWith('SIM');
}
