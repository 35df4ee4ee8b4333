/**
 * USB-TMC through the Linux kernel's usbtmc driver: each /dev/usbtmcN is one instrument, each
 * write() is one message (the driver adds the USBTMC headers and EOM), and a reply exists only
 * when asked for with read(). A VISA resource USB0::0x05E6::0x2450::SERIAL::INSTR is resolved to
 * its device file through sysfs (vendor, product and serial of the interface's USB device).
 */
import { constants, promises as fs, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ReramError } from '../../../shared/errors';
import { ConnectionLostError, TransportError } from '../errors';
import { formatUsbResource, type ResourceSpec } from './resource';
import type { Transport, TransportHandlers } from './transport';

export interface UsbtmcRoots {
  sys: string;
  dev: string;
}

/** /sys and /dev; overridable (containers, tests) with RERAM_SYSFS_ROOT and RERAM_DEV_ROOT. */
export function usbtmcRoots(): UsbtmcRoots {
  return { sys: process.env.RERAM_SYSFS_ROOT ?? '/sys', dev: process.env.RERAM_DEV_ROOT ?? '/dev' };
}

export interface UsbtmcDevice {
  path: string;
  vendorId: number;
  productId: number;
  serial: string;
  resource: string;
}

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** The usbtmc devices the kernel has bound, with their USB identity. */
export function findUsbtmcDevices(roots: UsbtmcRoots = usbtmcRoots()): UsbtmcDevice[] {
  const base = join(roots.sys, 'class', 'usbmisc');
  let names: string[];
  try {
    names = readdirSync(base)
      .filter((n) => /^usbtmc\d+$/.test(n))
      // usbtmc2 before usbtmc10, as the kernel numbered them.
      .sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    let usbDevice: string;
    try {
      // …/usbmisc/usbtmcN/device is the USB interface; its parent is the device with the ids.
      usbDevice = dirname(realpathSync(join(base, name, 'device')));
    } catch {
      return [];
    }
    const vendor = readText(join(usbDevice, 'idVendor'));
    const product = readText(join(usbDevice, 'idProduct'));
    if (!vendor || !product) return [];
    const spec = {
      kind: 'usb' as const,
      board: 0,
      vendorId: Number.parseInt(vendor, 16),
      productId: Number.parseInt(product, 16),
      // Some instruments report no serial number: '*' then matches that vendor and product.
      serial: readText(join(usbDevice, 'serial')) || '*',
      iface: null,
    };
    return [{ path: join(roots.dev, name), ...spec, resource: formatUsbResource(spec) }];
  });
}

export function resolveUsbtmc(
  spec: Extract<ResourceSpec, { kind: 'usb' }>,
  roots: UsbtmcRoots = usbtmcRoots(),
): string | undefined {
  return findUsbtmcDevices(roots).find(
    (d) =>
      d.vendorId === spec.vendorId &&
      d.productId === spec.productId &&
      (spec.serial === '*' || d.serial.toLowerCase() === spec.serial.toLowerCase()),
  )?.path;
}

/** USBTMC_IOCTL_CLEAR = _IO('[', 2): INITIATE_CLEAR / CHECK_CLEAR_STATUS on the device. */
const USBTMC_IOCTL_CLEAR = 0x5b02;
let ioctl: ((fd: number, request: number, arg: number) => number) | null | undefined;

async function loadIoctl(): Promise<typeof ioctl> {
  if (ioctl !== undefined) return ioctl;
  try {
    const koffi = (await import('koffi')).default;
    ioctl = koffi
      .load('libc.so.6')
      .func('int ioctl(int fd, unsigned long request, unsigned long arg)') as unknown as typeof ioctl;
  } catch {
    ioctl = null;
  }
  return ioctl;
}

const READ_CHUNK = 64 * 1024;

export class UsbtmcTransport implements Transport {
  readonly kind = 'usbtmc' as const;
  readonly allowsSecondLink = false;
  private handle: fs.FileHandle | undefined;
  private handlers: TransportHandlers | undefined;
  private reading = false;
  private closing = false;

  constructor(
    readonly path: string,
    readonly resource: string,
  ) {}

  get isOpen(): boolean {
    return Boolean(this.handle) && !this.closing;
  }

  async open(handlers: TransportHandlers): Promise<void> {
    try {
      this.handle = await fs.open(this.path, constants.O_RDWR | constants.O_NOCTTY);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new TransportError(
        code === 'EACCES'
          ? `Cannot open ${this.path} (permission denied): add a udev rule for the instrument or join the group that owns it.`
          : `Cannot open ${this.path}: ${code ?? (error as Error).message}`,
      );
    }
    this.handlers = handlers;
  }

  async write(data: Buffer): Promise<void> {
    if (!this.handle || this.closing) throw new ConnectionLostError(`${this.resource} is closed.`);
    try {
      await this.handle.write(data);
    } catch (error) {
      this.lost(error as Error);
      throw new ConnectionLostError(`Writing to ${this.resource} failed: ${(error as Error).message}`);
    }
  }

  /** Reads one message; the kernel returns it in chunks when it is longer than one read. */
  async requestRead(): Promise<void> {
    if (this.reading || !this.handle) return;
    this.reading = true;
    try {
      for (;;) {
        const buffer = Buffer.alloc(READ_CHUNK);
        let bytesRead: number;
        try {
          ({ bytesRead } = await this.handle.read(buffer, 0, READ_CHUNK, null));
        } catch (error) {
          // The driver's own read timeout: the instrument is still busy; ask again.
          if ((error as NodeJS.ErrnoException).code === 'ETIMEDOUT' && !this.closing) continue;
          if (!this.closing) this.lost(error as Error);
          return;
        }
        if (bytesRead === 0) {
          if (!this.closing) this.lost(new Error('end of file'));
          return;
        }
        this.handlers?.onData(buffer.subarray(0, bytesRead));
        if (bytesRead < READ_CHUNK) return;
      }
    } finally {
      this.reading = false;
    }
  }

  async clear(): Promise<void> {
    const call = await loadIoctl();
    if (!call || !this.handle) return;
    // Not a usbtmc device (ENOTTY) or an old kernel: the clear is skipped, "off" still goes out.
    call(this.handle.fd, USBTMC_IOCTL_CLEAR, 0);
  }

  private lost(error: Error): void {
    const handlers = this.handlers;
    this.handlers = undefined;
    handlers?.onClose(error);
  }

  async close(): Promise<void> {
    this.closing = true;
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }
}

export function usbtmcTransportFor(
  spec: Extract<ResourceSpec, { kind: 'usb' }>,
): UsbtmcTransport | undefined {
  const path = resolveUsbtmc(spec);
  return path ? new UsbtmcTransport(path, formatUsbResource(spec)) : undefined;
}

export function noUsbtmcDevice(spec: Extract<ResourceSpec, { kind: 'usb' }>): ReramError {
  const found = findUsbtmcDevices();
  return new ReramError(
    'NOT_FOUND',
    `No USB-TMC device matches ${formatUsbResource(spec)}${found.length ? ` (found: ${found.map((d) => d.resource).join(', ')})` : ''}. Check the cable, that the instrument's USB port is in USBTMC mode and that the usbtmc kernel module is loaded — or install a VISA library (NI-VISA, Keysight IO Libraries, R&S VISA).`,
  );
}
