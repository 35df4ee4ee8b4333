/**
 * Opens a resource, identifies the instrument with *IDN? (KXCI: ID), and hands the session to the driver
 * that owns it from then on. Where the link allows a second connection, the driver also gets a
 * way to open one (to switch the output off when the first link hangs).
 */
import { ReramError } from '../../shared/errors';
import { K4200_KXCI } from './models/k4200/facts';
import type { InstrumentIdentity } from '../../shared/run';
import { isVirtual, parseKxciId } from './scpi/idn';
import { KXCI_CONVENTIONS, ScpiSession, type SessionOptions } from './scpi/session';
import { driverEntryFor } from './models/registry';
import type { Smu } from './drivers/smu';
import { createTransport, type LinkOptions } from './transport/open';
import type { ConnectionSettings } from '../../shared/connection';
import {
  checkSerialSettings,
  parseResource,
  type SerialSettings,
  type Terminator,
} from './transport/resource';
import type { Transport } from './transport/transport';
import { matrixOn, routeThroughMatrix, type MatrixOptions } from './switch/connect';

export interface ConnectOptions extends LinkOptions {
  writeTerminator?: Terminator;
  readTerminator?: Terminator;
  timeoutMs?: number;
  log?: SessionOptions['log'];
  /** The channel of a two-channel SMU (2600B: smua or smub). */
  channel?: 'a' | 'b';
  /** The SMU module's slot in a mainframe (B1500A). */
  slot?: number;
  /** A switch matrix in front of an array: selectCell() then moves its relays. */
  matrix?: MatrixOptions;
}

/** Safe defaults per link: a factory 2400 on RS-232 executes on CR and ends its replies with CR. */
function defaultTerminators(transport: Transport, port?: number): { write: Terminator; read: Terminator } {
  if (transport.kind === 'serial') return { write: 'CR', read: 'CR' };
  // The 4200A's KXCI listens on LAN port 1225 and ends messages with NUL.
  if (transport.kind === 'tcp' && port === K4200_KXCI.port) return { write: 'NUL', read: 'NUL' };
  // GPIB (any adapter), USB and LAN end messages with LF (and EOI or END where the bus has one).
  return { write: 'LF', read: 'LF' };
}

async function openOn(transport: Transport, options: ConnectOptions, port?: number): Promise<ScpiSession> {
  const defaults = defaultTerminators(transport, port);
  const session = new ScpiSession(transport, {
    writeTerminator: options.writeTerminator ?? defaults.write,
    readTerminator: options.readTerminator ?? defaults.read,
    timeoutMs: options.timeoutMs ?? 5000,
    ...(options.log ? { log: options.log } : {}),
  });
  await session.open();
  return session;
}

export async function openSession(resource: string, options: ConnectOptions = {}): Promise<ScpiSession> {
  const spec = parseResource(resource, options.serial);
  return openOn(await createTransport(spec, options), options, spec.kind === 'tcp' ? spec.port : undefined);
}

/** *IDN? for SCPI, TSP and FLEX; a NUL-terminated link is KXCI, which answers `ID` instead. */
async function identifyOn(session: ScpiSession): Promise<InstrumentIdentity> {
  if (session.readTerminator !== 'NUL') return session.identify();
  session.conventions = KXCI_CONVENTIONS;
  return parseKxciId(await session.query('ID'));
}

export async function connectInstrument(resource: string, options: ConnectOptions = {}): Promise<Smu> {
  const smu = await connectSmu(resource, options);
  if (!options.matrix) return smu;
  const { matrix: matrixOptions, ...link } = options;
  let session: ScpiSession | undefined;
  try {
    session = await openSession(matrixOptions.resource, link);
    const matrix = await matrixOn(session, matrixOptions.resource);
    return await routeThroughMatrix(smu, matrix, matrixOptions.wiring);
  } catch (error) {
    await session?.close();
    await smu.close();
    throw error;
  }
}

async function connectSmu(resource: string, options: ConnectOptions): Promise<Smu> {
  const session = await openSession(resource, options);
  try {
    // On RS-232 a previous client may have left half a command in the instrument's input: a
    // device clear (^C) starts us from a clean line.
    if (session.transport.kind === 'serial') await session.transport.clear?.();
    let identity;
    try {
      identity = await identifyOn(session);
    } catch (error) {
      // Whatever answered is not known to be an instrument: say so, without echoing what it sent.
      if (error instanceof ReramError && error.code === 'SCPI_PARSE')
        throw new ReramError(
          'SCPI_PARSE',
          session.readTerminator === 'NUL'
            ? `The device at ${resource} did not answer ID as the 4200A's KXCI does. Check that KXCI is running and the resource and the terminators.`
            : `The device at ${resource} did not answer *IDN? as an SCPI instrument does. Check the resource and the terminators.`,
        );
      throw error;
    }
    const entry = driverEntryFor(identity);
    await entry.verify?.(session);
    const transport = session.transport;
    const sibling = transport.allowsSecondLink ? transport.sibling?.bind(transport) : undefined;
    return await entry.create(session, identity, {
      virtual: isVirtual(identity),
      ...(options.channel ? { channel: options.channel } : {}),
      ...(options.slot !== undefined ? { slot: options.slot } : {}),
      ...(sibling
        ? {
            openSecondLink: () =>
              openOn(sibling(), { ...options, timeoutMs: Math.min(options.timeoutMs ?? 5000, 2000) }),
          }
        : {}),
    });
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** The declared connection settings (API, CLI) as what the link layer takes; refuses invalid serial framing. */
export function toConnectOptions(settings: ConnectionSettings, log?: SessionOptions['log']): ConnectOptions {
  const serial: SerialSettings = {
    baudRate: settings.baudRate,
    dataBits: settings.dataBits as 7 | 8,
    stopBits: settings.stopBits as 1 | 2,
    parity: settings.parity,
    flow: settings.flow,
  };
  checkSerialSettings(serial);
  return {
    serial,
    timeoutMs: settings.timeoutMs,
    ...(settings.writeTerminator ? { writeTerminator: settings.writeTerminator } : {}),
    ...(settings.readTerminator ? { readTerminator: settings.readTerminator } : {}),
    ...(settings.gpibAdapter ? { gpibAdapter: settings.gpibAdapter } : {}),
    ...(log ? { log } : {}),
    channel: settings.smuChannel,
    ...(settings.smuSlot !== undefined ? { slot: settings.smuSlot } : {}),
    ...(settings.matrix
      ? {
          matrix: {
            resource: settings.matrix,
            wiring: {
              rows: settings.matrixRows,
              columns: settings.matrixColumns,
              hiInput: settings.matrixHiInput,
              loInput: settings.matrixLoInput,
            },
          },
        }
      : {}),
  };
}
