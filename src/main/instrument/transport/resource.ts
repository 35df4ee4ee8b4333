/**
 * PyVISA-style resource strings, parsed into what opens them:
 *   ASRL/dev/ttyUSB0::INSTR             serial (ASRL3::INSTR is COM3)
 *   TCPIP::192.168.0.10::5025::SOCKET   LAN raw socket
 *   GPIB0::24::INSTR                    through a Prologix-style adapter (gpibAdapter), else VISA
 *   USB0::0x05E6::0x2450::SERIAL::INSTR through the Linux usbtmc driver, else VISA
 *   TCPIP::host::INSTR, …::hislip0::INSTR, anything else: through an installed VISA library
 */
import { invalidInput } from '../../../shared/errors';

export type Terminator = 'CR' | 'LF' | 'CRLF' | 'NUL';
/** NUL: the Keithley 4200A's KXCI ends commands and replies with a zero byte on its LAN port. */
export const TERMINATORS: Record<Terminator, string> = { CR: '\r', LF: '\n', CRLF: '\r\n', NUL: '\0' };

export interface SerialSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  flow: 'none' | 'xonxoff';
}

export const DEFAULT_SERIAL: SerialSettings = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  flow: 'none',
};

export type ResourceSpec =
  | { kind: 'tcp'; host: string; port: number }
  | ({ kind: 'serial'; path: string } & SerialSettings)
  | { kind: 'gpib'; board: number; address: number; secondary: number | null }
  | { kind: 'usb'; board: number; vendorId: number; productId: number; serial: string; iface: number | null }
  | { kind: 'visa'; resource: string };

/** Serial framing the RS-232 standard and the 2400 allow: 7 data bits need a parity bit. */
export function checkSerialSettings(settings: SerialSettings): void {
  if (!Number.isInteger(settings.baudRate) || settings.baudRate < 50 || settings.baudRate > 4_000_000)
    throw invalidInput(`Baud rate ${settings.baudRate} is not valid.`);
  if (settings.dataBits === 7 && settings.parity === 'none')
    throw invalidInput(
      '7 data bits with no parity is not a valid framing: use 8 data bits with no parity, or 7 with even or odd parity (as set on the instrument).',
    );
}

const hex = (text: string) => (/^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text, 16) : Number(text));

export function parseResource(text: string, serial: Partial<SerialSettings> = {}): ResourceSpec {
  const trimmed = text.trim();
  const tcp = /^TCPIP\d*::([^:]+|\[[^\]]+\])::(\d+)::SOCKET$/i.exec(trimmed);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) throw invalidInput(`Port ${port} in '${text}' is out of range.`);
    return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port };
  }
  const asrl = /^ASRL(.+)::INSTR$/i.exec(trimmed);
  if (asrl) {
    const target = asrl[1]!;
    const path = /^\d+$/.test(target) ? `COM${target}` : target;
    const settings = { ...DEFAULT_SERIAL, ...serial };
    checkSerialSettings(settings);
    return { kind: 'serial', path, ...settings };
  }
  const gpib = /^GPIB(\d*)::(\d+)(?:::(\d+))?::INSTR$/i.exec(trimmed);
  if (gpib) {
    const address = Number(gpib[2]);
    if (address > 30) throw invalidInput(`GPIB address ${address} in '${text}' is out of range (0–30).`);
    const secondary = gpib[3] === undefined ? null : Number(gpib[3]);
    if (secondary !== null && secondary > 30)
      throw invalidInput(`GPIB secondary address ${secondary} in '${text}' is out of range.`);
    return { kind: 'gpib', board: Number(gpib[1] || 0), address, secondary };
  }
  const usb = /^USB(\d*)::(0x[0-9a-f]+|\d+)::(0x[0-9a-f]+|\d+)::([^:]+)(?:::(\d+))?::INSTR$/i.exec(trimmed);
  if (usb) {
    return {
      kind: 'usb',
      board: Number(usb[1] || 0),
      vendorId: hex(usb[2]!),
      productId: hex(usb[3]!),
      serial: usb[4]!,
      iface: usb[5] === undefined ? null : Number(usb[5]),
    };
  }
  if (/^(TCPIP\d*::.+::(INSTR|hislip\d+::INSTR)|VXI\d*::.+|PXI\d*::.+|USB\d*::.+::RAW)$/i.test(trimmed))
    return { kind: 'visa', resource: trimmed };
  throw invalidInput(
    `'${text}' is not a resource string. Use ASRL/dev/ttyUSB0::INSTR (serial), TCPIP::<host>::5025::SOCKET (LAN), GPIB0::<address>::INSTR or USB0::<vendor>::<product>::<serial>::INSTR.`,
  );
}

export function formatUsbResource(spec: Extract<ResourceSpec, { kind: 'usb' }>): string {
  const h = (n: number) => `0x${n.toString(16).toUpperCase().padStart(4, '0')}`;
  return `USB${spec.board}::${h(spec.vendorId)}::${h(spec.productId)}::${spec.serial}${spec.iface === null ? '' : `::${spec.iface}`}::INSTR`;
}
