/**
 * PyVISA-style resource strings: `ASRL/dev/ttyUSB0::INSTR` (serial; `ASRL3::INSTR` is COM3)
 * and `TCPIP::192.168.0.10::5025::SOCKET` (LAN raw socket).
 */
import { invalidInput } from '../../../shared/errors';

export type Terminator = 'CR' | 'LF' | 'CRLF';
export const TERMINATORS: Record<Terminator, string> = { CR: '\r', LF: '\n', CRLF: '\r\n' };

export interface SerialSettings {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  flow: 'none' | 'xonxoff';
}

export type ResourceSpec =
  { kind: 'tcp'; host: string; port: number } | ({ kind: 'serial'; path: string } & SerialSettings);

export const DEFAULT_SERIAL: SerialSettings = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  flow: 'none',
};
// The Keithley 2400's RS-232 accepts these rates (front panel: COMMUNICATION > RS-232 > BAUD).
export const K2400_BAUD_RATES = [300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600] as const;

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
    if (!Number.isInteger(settings.baudRate) || settings.baudRate < 50 || settings.baudRate > 4_000_000) {
      throw invalidInput(`Baud rate ${settings.baudRate} is not valid.`);
    }
    return { kind: 'serial', path, ...settings };
  }
  throw invalidInput(
    `'${text}' is not a resource string. Use ASRL/dev/ttyUSB0::INSTR for serial or TCPIP::<host>::5025::SOCKET for LAN.`,
  );
}

export function formatResource(spec: ResourceSpec): string {
  return spec.kind === 'tcp'
    ? `TCPIP::${spec.host.includes(':') ? `[${spec.host}]` : spec.host}::${spec.port}::SOCKET`
    : `ASRL${spec.path}::INSTR`;
}
