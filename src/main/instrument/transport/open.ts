import { ReramError } from '../../../shared/errors';
import type { ResourceSpec, SerialSettings } from './resource';
import { SerialTransport } from './serial';
import { TcpTransport } from './tcp';
import type { Transport } from './transport';

export interface LinkOptions {
  serial?: Partial<SerialSettings>;
  /** GPIB resources: the Prologix-style adapter's own resource (ASRL… or TCPIP::host::1234::SOCKET). */
  gpibAdapter?: string;
}

export function createTransport(spec: ResourceSpec, _options: LinkOptions = {}): Transport {
  switch (spec.kind) {
    case 'tcp':
      return new TcpTransport(spec.host, spec.port);
    case 'serial':
      return new SerialTransport(spec.path, spec);
    default:
      throw new ReramError('UNSUPPORTED', `Resources of kind '${spec.kind}' are not supported yet.`);
  }
}
