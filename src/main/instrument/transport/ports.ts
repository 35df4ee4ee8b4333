import { readdirSync } from 'node:fs';
import { which } from '../../system/which';

export interface SerialPortEntry {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export interface SerialPortListing {
  ports: SerialPortEntry[];
  /** Set when the OS enumeration was unavailable and the list is a best-effort /dev scan. */
  warning?: string;
}

const DEV_PATTERN = /^(ttyS\d+|ttyUSB\d+|ttyACM\d+|ttyAMA\d+|rfcomm\d+|cu\..+|tty\.usb.+)$/;

function scanDev(): SerialPortEntry[] {
  try {
    return readdirSync('/dev')
      .filter((name) => DEV_PATTERN.test(name))
      .sort()
      .map((name) => ({ path: `/dev/${name}` }));
  } catch {
    return [];
  }
}

/**
 * Lists serial ports. On Linux, serialport enumerates through `udevadm`; when that binary is
 * missing it spawns it anyway and the ENOENT surfaces as an uncaught 'error' event outside any
 * promise, killing the process. So we check first and fall back to scanning /dev.
 */
export async function listSerialPorts(): Promise<SerialPortListing> {
  if (process.platform === 'linux' && !which('udevadm')) {
    return {
      ports: scanDev(),
      warning:
        'udevadm not found (install the "udev" package): ports were found by scanning /dev, without USB details.',
    };
  }
  try {
    const { SerialPort } = await import('serialport');
    const ports = await SerialPort.list();
    return {
      ports: ports.map((p) => ({
        path: p.path,
        manufacturer: p.manufacturer,
        serialNumber: p.serialNumber,
        vendorId: p.vendorId,
        productId: p.productId,
      })),
    };
  } catch (error) {
    return { ports: scanDev(), warning: `Serial port enumeration failed: ${(error as Error).message}` };
  }
}
