import type { ResourceSpec } from './resource';
import { SerialTransport } from './serial';
import { TcpTransport } from './tcp';
import type { Transport } from './transport';

export function createTransport(spec: ResourceSpec): Transport {
  return spec.kind === 'tcp' ? new TcpTransport(spec.host, spec.port) : new SerialTransport(spec.path, spec);
}
