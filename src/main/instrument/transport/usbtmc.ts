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
import { ReadRequests, type Transport, type TransportHandlers } from './transport';

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

/** The usbtmc driver's ioctls (linux/usb/tmc.h): _IO/_IOR/_IOW on type '[' (91). */
export const USBTMC_IOCTL = {
  /** INITIATE_CLEAR / CHECK_CLEAR_STATUS: a device clear. */
  CLEAR: 0x5b02,
  /** Aborts the bulk-in transfer in progress (the reply to a timed-out request). */
  ABORT_BULK_IN: 0x5b04,
  /** _IOW('[', 10, __u32): the read and write timeout in ms (the driver's default is 5000). */
  SET_TIMEOUT: 0x40045b0a,
  /** _IOR('[', 24, __u8): bit 0 set when the last read ended the message (EOM). */
  MSG_IN_ATTR: 0x80015b18,
} as const;

/**
 * What the transport needs of a /dev/usbtmcN: read and write (one request, one message), and the
 * driver's ioctls. The real one is the device file through Node and libc's ioctl (on a worker
 * thread: the driver's io_mutex can hold a call for as long as a read is pending).
 */
export interface UsbtmcDeviceFile {
  /** One read(): the driver asks the device for up to buffer.length bytes and waits its timeout. */
  read(buffer: Buffer): Promise<number>;
  write(data: Buffer): Promise<void>;
  /** The ioctl's return value (negative: not supported here, or failed). */
  ioctl(request: number, arg: Buffer | null): Promise<number>;
  close(): Promise<void>;
}

type IoctlAsync = (
  fd: number,
  request: number,
  arg: Buffer | null,
  done: (error: Error | null, result: number) => void,
) => void;
let ioctlAsync: IoctlAsync | null | undefined;

async function loadIoctl(): Promise<IoctlAsync | null> {
  if (ioctlAsync !== undefined) return ioctlAsync;
  try {
    const koffi = (await import('koffi')).default;
    const fn = koffi.load('libc.so.6').func('int ioctl(int fd, unsigned long request, void *arg)') as {
      async: IoctlAsync;
    };
    ioctlAsync = (...args) => fn.async(...args);
  } catch {
    ioctlAsync = null;
  }
  return ioctlAsync;
}

/** The device file itself. */
export async function openUsbtmcFile(path: string): Promise<UsbtmcDeviceFile> {
  const handle = await fs.open(path, constants.O_RDWR | constants.O_NOCTTY);
  const ioctl = await loadIoctl();
  return {
    read: async (buffer) => (await handle.read(buffer, 0, buffer.length, null)).bytesRead,
    write: async (data) => void (await handle.write(data)),
    ioctl: (request, arg) =>
      new Promise((resolve) => {
        // Not a usbtmc device (ENOTTY) or no libc: -1, and the caller does without.
        if (!ioctl) return resolve(-1);
        ioctl(handle.fd, request, arg, (error, result) => resolve(error ? -1 : result));
      }),
    close: () => handle.close(),
  };
}

const READ_CHUNK = 64 * 1024;

export class UsbtmcTransport implements Transport {
  readonly kind = 'usbtmc' as const;
  readonly allowsSecondLink = false;
  private file: UsbtmcDeviceFile | undefined;
  private handlers: TransportHandlers | undefined;
  private readonly reads = new ReadRequests((timeoutMs) => this.readMessage(timeoutMs));
  private timeoutSet: number | undefined;
  private closing = false;

  constructor(
    readonly path: string,
    readonly resource: string,
    private readonly openFile: (path: string) => Promise<UsbtmcDeviceFile> = openUsbtmcFile,
  ) {}

  get isOpen(): boolean {
    return Boolean(this.file) && !this.closing;
  }

  async open(handlers: TransportHandlers): Promise<void> {
    try {
      this.file = await this.openFile(this.path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new TransportError(
        code === 'EACCES'
          ? `Cannot open ${this.path} (permission denied): add a udev rule for the instrument or join the group that owns it (docs/bench-setup.md).`
          : `Cannot open ${this.path}: ${code ?? (error as Error).message}`,
      );
    }
    this.handlers = handlers;
  }

  async write(data: Buffer): Promise<void> {
    if (!this.file || this.closing) throw new ConnectionLostError(`${this.resource} is closed.`);
    try {
      await this.file.write(data);
    } catch (error) {
      this.lost(error as Error);
      throw new ConnectionLostError(`Writing to ${this.resource} failed: ${(error as Error).message}`);
    }
  }

  /**
   * One reply, as pyvisa-py reads it: the driver's timeout set to the session's deadline (its
   * default is 5 s, and each read() is a new request with a new bTag, so a second read would
   * reject the late reply to the first), then reads until EOM or the terminator.
   */
  requestRead(timeoutMs: number, stillWaiting?: () => boolean): Promise<void> {
    return this.reads.request(timeoutMs, stillWaiting);
  }

  private async readMessage(timeoutMs: number): Promise<void> {
    const file = this.file;
    if (!file || this.closing) return;
    const tmo = Math.max(1, Math.ceil(timeoutMs));
    if (tmo !== this.timeoutSet) {
      const value = Buffer.alloc(4);
      value.writeUInt32LE(tmo);
      if ((await file.ioctl(USBTMC_IOCTL.SET_TIMEOUT, value)) >= 0) this.timeoutSet = tmo;
    }
    for (;;) {
      const buffer = Buffer.alloc(READ_CHUNK);
      let bytesRead: number;
      try {
        bytesRead = await file.read(buffer);
      } catch (error) {
        if (this.closing) return;
        if ((error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
          // The session has the same deadline and reports it. The late reply would arrive under
          // the old bTag and be rejected by the next read: abort this transfer instead.
          await file.ioctl(USBTMC_IOCTL.ABORT_BULK_IN, null);
          return;
        }
        this.lost(error as Error);
        return;
      }
      if (bytesRead === 0) {
        // Not an end of file: the driver returns 0 for a reply it rejected (a wrong bTag).
        throw new TransportError(
          `${this.resource} returned an empty USB-TMC reply: the driver rejected a late answer to an earlier request (wrong bTag).`,
        );
      }
      const chunk = buffer.subarray(0, bytesRead);
      this.handlers?.onData(chunk);
      const attribute = Buffer.alloc(1);
      const eom =
        (await file.ioctl(USBTMC_IOCTL.MSG_IN_ATTR, attribute)) >= 0
          ? (attribute[0]! & 1) !== 0
          : chunk.includes(0x0a) || bytesRead < READ_CHUNK;
      if (eom) return;
    }
  }

  async clear(): Promise<void> {
    if (!this.file) return;
    this.reads.drop();
    // On a worker thread: the driver's io_mutex can hold it while a read is pending.
    await this.file.ioctl(USBTMC_IOCTL.CLEAR, null);
  }

  private lost(error: Error): void {
    const handlers = this.handlers;
    this.handlers = undefined;
    handlers?.onClose(error);
  }

  async close(): Promise<void> {
    this.closing = true;
    const file = this.file;
    this.file = undefined;
    await file?.close().catch(() => undefined);
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
