import { ReramError } from '../../../shared/errors';
import { PrologixTransport } from './prologix';
import { formatUsbResource, parseResource, type ResourceSpec, type SerialSettings } from './resource';
import { noUsbtmcDevice, usbtmcTransportFor } from './usbtmc';
import { loadVisa, noVisaLibrary, VisaTransport } from './visa';
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

/**
 * The link for a resource: raw sockets and serial ports natively, GPIB through a Prologix-style
 * adapter when one is named, USB through the Linux usbtmc driver when it has the device, and
 * everything else (or those without the native route) through an installed VISA library.
 */
export async function createTransport(spec: ResourceSpec, options: LinkOptions = {}): Promise<Transport> {
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
        return new PrologixTransport(
          await createTransport(adapter),
          spec.address,
          spec.secondary,
          gpibResource(spec),
        );
      }
      return viaVisa(gpibResource(spec), ' Or name a Prologix-style adapter with --gpib-adapter.');
    }
    case 'usb': {
      const native = process.platform === 'linux' ? usbtmcTransportFor(spec) : undefined;
      if (native) return native;
      const visa = await loadVisa();
      if (visa) return new VisaTransport(visa, formatUsbResource(spec));
      throw process.platform === 'linux' ? noUsbtmcDevice(spec) : noVisaLibrary(formatUsbResource(spec));
    }
    case 'visa':
      return viaVisa(spec.resource);
  }
}

async function viaVisa(resource: string, hint = ''): Promise<Transport> {
  const visa = await loadVisa();
  if (!visa) {
    const error = noVisaLibrary(resource);
    throw new ReramError(error.code, error.message + hint);
  }
  return new VisaTransport(visa, resource);
}
