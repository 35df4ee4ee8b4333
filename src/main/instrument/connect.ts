/**
 * Opens a resource, identifies the instrument with *IDN? and picks its driver. Also knows how to
 * reach the instrument again on a fresh link to turn the output off when the first link died.
 */
import { ReramError } from '../../shared/errors';
import { ConnectionLostError } from './errors';
import { KeysightB2900 } from './drivers/b2900';
import { Keithley2400 } from './drivers/k2400';
import { Keithley2450 } from './drivers/k2450';
import type { Smu } from './drivers/smu';
import { isVirtual, type Identity } from './scpi/idn';
import { ScpiSession, type SessionOptions } from './scpi/session';
import { createTransport } from './transport/open';
import { parseResource, type SerialSettings, type Terminator } from './transport/resource';

export interface ConnectOptions {
  serial?: Partial<SerialSettings>;
  terminator?: Terminator;
  timeoutMs?: number;
  log?: SessionOptions['log'];
}

export interface InstrumentConnection {
  resource: string;
  session: ScpiSession;
  smu: Smu;
  identity: Identity;
  /** The virtual SMU (it also understands :SIM:* commands). */
  virtual: boolean;
  /** Opens a second, short-lived link and sends :OUTP OFF (for when this one is lost). */
  reconnectAndSwitchOff(): Promise<void>;
  close(): Promise<void>;
}

export function driverFor(session: ScpiSession, identity: Identity): Smu {
  const model = identity.model.toUpperCase();
  const make = identity.make.toUpperCase();
  if (make.includes('KEITHLEY') && /^24(0[0-1]|10|20|25|30|40)\b/.test(model))
    return new Keithley2400(session, identity);
  if (make.includes('KEITHLEY') && /^24(50|60|61|70)\b/.test(model))
    return new Keithley2450(session, identity);
  if ((make.includes('KEYSIGHT') || make.includes('AGILENT')) && /^B29\d\d/.test(model))
    return new KeysightB2900(session, identity);
  if (make.includes('KEITHLEY') && /^26\d\d/.test(model)) {
    throw new ReramError(
      'UNSUPPORTED',
      `${identity.make} ${identity.model} speaks TSP (Lua), not SCPI; the 2600B series is not supported yet.`,
    );
  }
  throw new ReramError(
    'UNSUPPORTED',
    `No driver for '${identity.raw}'. Supported: Keithley 2400 family, Keithley 2450, Keysight B2900.`,
  );
}

export async function openSession(resource: string, options: ConnectOptions = {}): Promise<ScpiSession> {
  const spec = parseResource(resource, options.serial);
  const session = new ScpiSession(createTransport(spec), {
    terminator: options.terminator ?? 'LF',
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.log ? { log: options.log } : {}),
  });
  await session.open();
  return session;
}

export async function connectInstrument(
  resource: string,
  options: ConnectOptions = {},
): Promise<InstrumentConnection> {
  const session = await openSession(resource, options);
  try {
    const identity = await session.identify();
    const smu = driverFor(session, identity);
    await session.write('*CLS');
    await session.opc();
    return {
      resource,
      session,
      smu,
      identity,
      virtual: isVirtual(identity),
      reconnectAndSwitchOff: async () => {
        const rescue = await openSession(resource, {
          ...options,
          timeoutMs: Math.min(options.timeoutMs ?? 5000, 2000),
        });
        try {
          await rescue.write(':OUTP OFF');
          // Confirm where the instrument answers; a write that went out is the best we can do otherwise.
          await rescue.opc().catch(() => undefined);
        } finally {
          await rescue.close();
        }
      },
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    if (error instanceof ConnectionLostError) throw error;
    throw error;
  }
}
