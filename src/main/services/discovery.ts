/** Everything a bench could be reached through, as `pyvisa-shell list` shows it. */
import { ReramError } from '../../shared/errors';
import { createTransport } from '../instrument/transport/open';
import { listSerialPorts } from '../instrument/transport/ports';
import { scanGpibBus } from '../instrument/transport/prologix';
import { parseResource } from '../instrument/transport/resource';
import { findUsbtmcDevices } from '../instrument/transport/usbtmc';
import { listVisaResources, loadVisa } from '../instrument/transport/visa';

export { listSerialPorts };

export interface FoundResource {
  resource: string;
  via: string;
  detail: string;
}

export interface Discovery {
  resources: FoundResource[];
  /** The VISA library found, or null (then GPIB through VISA, VXI-11 and HiSLIP are not listed). */
  visaLibrary: string | null;
  serialWarning: string | null;
}

/** Serial ports, USB-TMC devices, a GPIB adapter's bus (when given) and VISA's own list. */
export async function findResources(options: { gpibAdapter?: string } = {}): Promise<Discovery> {
  const resources: FoundResource[] = [];
  const serial = await listSerialPorts();
  for (const port of serial.ports)
    resources.push({
      resource: `ASRL${port.path}::INSTR`,
      via: 'serial',
      detail: [port.manufacturer, port.serialNumber].filter(Boolean).join(' '),
    });
  for (const device of findUsbtmcDevices())
    resources.push({ resource: device.resource, via: 'usbtmc', detail: device.path });
  if (options.gpibAdapter) {
    const spec = parseResource(options.gpibAdapter);
    if (spec.kind !== 'serial' && spec.kind !== 'tcp')
      throw new ReramError(
        'INVALID_INPUT',
        'the GPIB adapter must be ASRL…::INSTR or TCPIP::host::port::SOCKET',
      );
    for (const found of await scanGpibBus(await createTransport(spec)))
      resources.push({
        resource: found.resource,
        via: `GPIB adapter ${options.gpibAdapter}`,
        detail: found.idn,
      });
  }
  const visa = await loadVisa();
  for (const resource of await listVisaResources())
    resources.push({ resource, via: 'VISA', detail: visa?.path ?? '' });
  return { resources, visaLibrary: visa?.path ?? null, serialWarning: serial.warning ?? null };
}
