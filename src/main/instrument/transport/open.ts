import { ReramError } from '../../../shared/errors';
import { PrologixTransport } from './prologix';
import { parseResource, type ResourceSpec, type SerialSettings } from './resource';
import { SerialTransport } from './serial';
import { TcpTransport } from './tcp';
import type { Transport } from './transport';

export interface LinkOptions {
  serial?: Partial<SerialSettings>;
  /** GPIB resources: the Prologix-style adapter's own resource (ASRL… or TCPIP::host::1234::SOCKET). */
  gpibAdapter?: string;
}

function gpibResource(spec: Extract<ResourceSpec, { kind: 'gpib' }>): string {
  return `GPIB${spec.board}::${spec.address}${spec.secondary === null ? '' : `::${spec.secondary}`}::INSTR`;
}

export function createTransport(spec: ResourceSpec, options: LinkOptions = {}): Transport {
  switch (spec.kind) {
    case 'tcp':
      return new TcpTransport(spec.host, spec.port);
    case 'serial':
      return new SerialTransport(spec.path, spec);
    case 'gpib': {
      if (options.gpibAdapter) {
        // The adapter's own link: a USB serial port (its baud rate does not matter) or a LAN socket.
        const adapter = parseResource(options.gpibAdapter, { ...options.serial, flow: 'none' });
        if (adapter.kind !== 'serial' && adapter.kind !== 'tcp')
          throw new ReramError(
            'INVALID_INPUT',
            `--gpib-adapter must be a serial port (ASRL/dev/ttyUSB0::INSTR) or a LAN socket (TCPIP::host::1234::SOCKET), not '${options.gpibAdapter}'.`,
          );
        return new PrologixTransport(createTransport(adapter), spec.address, spec.secondary, gpibResource(spec));
      }
      throw new ReramError(
        'UNSUPPORTED',
        `${gpibResource(spec)} needs a GPIB adapter (--gpib-adapter ASRL/dev/ttyUSB0::INSTR or TCPIP::host::1234::SOCKET for a Prologix-style one) or a VISA library.`,
      );
    }
    default:
      throw new ReramError('UNSUPPORTED', `Resources of kind '${spec.kind}' are not supported yet.`);
  }
}
