/**
 * The resources labs use beyond sockets and serial ports:
 * - VISA, through a VISA-API-compatible library compiled here (test/fixtures/fakevisa.c) that
 *   forwards to the virtual SMU: VXI-11/HiSLIP-style and GPIB resources, viClear as device clear,
 *   resource discovery, and a clear error when no VISA library is installed;
 * - USB-TMC through the Linux usbtmc device-file protocol, against a device file (a pty bridged
 *   to the virtual SMU) found through a sysfs tree, as the kernel lays it out.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcedureParams } from '../../src/shared/procedures';
import { connectInstrument } from '../../src/main/instrument/connect';
import { runProcedure } from '../../src/main/instrument/procedures/runner';
import {
  findUsbtmcDevices,
  resolveUsbtmc,
  UsbtmcTransport,
} from '../../src/main/instrument/transport/usbtmc';
import { openUsbtmcModel, type UsbtmcDriverModel } from '../helpers/usbtmc-driver-model';
import { parseResource, type ResourceSpec } from '../../src/main/instrument/transport/resource';
import {
  listVisaResources,
  loadVisa,
  VisaTransport,
  visaLibrariesFromLdconfig,
} from '../../src/main/instrument/transport/visa';
import { ScpiSession } from '../../src/main/instrument/scpi/session';
import { startPtyBridge } from '../../src/main/virtual-smu/pty';
import type { SimServer } from '../../src/main/virtual-smu/server';
import { REPO_ROOT, runCli } from '../helpers/cli';
import { outputIsOn, startSim } from '../helpers/sim';

const dir = mkdtempSync(join(tmpdir(), 'reram-visa-'));
const library = join(dir, 'libfakevisa.so');
const visaLog = join(dir, 'visa.log');
let sim: SimServer;

beforeAll(async () => {
  execFileSync('cc', [
    '-shared',
    '-fPIC',
    '-O2',
    '-o',
    library,
    join(REPO_ROOT, 'test', 'fixtures', 'fakevisa.c'),
  ]);
  sim = await startSim({ model: '2450', seed: 12 });
  process.env.RERAM_VISA_LIBRARY = library;
  process.env.FAKE_VISA_TARGET = `127.0.0.1:${sim.port}`;
  process.env.FAKE_VISA_RESOURCES =
    'TCPIP0::192.168.0.5::inst0::INSTR,GPIB0::22::INSTR,USB0::0x05E6::0x2450::04096331::INSTR';
  process.env.FAKE_VISA_MISSING = 'GPIB0::9::INSTR';
  process.env.FAKE_VISA_LOG = visaLog;
});
afterAll(() => sim?.close());

describe('VISA resources through an installed VISA library', () => {
  it.each(['TCPIP0::192.168.0.5::inst0::INSTR', 'TCPIP::192.168.0.5::hislip0::INSTR', 'GPIB0::22::INSTR'])(
    '%s: identify, measure, and an "off" preceded by viClear',
    async (resource) => {
      writeFileSync(visaLog, '');
      const smu = await connectInstrument(resource, { timeoutMs: 2000 });
      try {
        expect(smu.identity.model).toBe('2450');
        const result = await runProcedure(
          smu,
          ProcedureParams.parse({ procedure: 'read', maxVoltage: 1, compliance: 1e-4, count: 3 }),
        );
        expect(result.status).toBe('completed');
        const log = readFileSync(visaLog, 'utf8').split('\n');
        expect(log[0]).toBe(`viOpen ${resource}`);
        const clear = log.lastIndexOf('viClear ');
        expect(clear).toBeGreaterThan(0);
        expect(log[clear + 1]).toMatch(/^viWrite :OUTP OFF/);
        expect(await outputIsOn(sim.port)).toBe(false);
      } finally {
        await smu.close();
      }
    },
  );

  it("one viRead per reply, with VI_ATTR_TMO_VALUE at the session's deadline; after a viClear only the read a reply is awaited for", async () => {
    // A 2450 in real time, with a 2 s source delay: the reply to :READ? comes 2 s after it is asked.
    const slow = await startSim({ model: '2450', seed: 12, timeScale: 1 });
    process.env.FAKE_VISA_TARGET = `127.0.0.1:${slow.port}`;
    const transport = new VisaTransport((await loadVisa())!, 'GPIB0::22::INSTR');
    const session = new ScpiSession(transport, { timeoutMs: 5000 });
    try {
      await session.open();
      await session.write(':SOUR:VOLT:DEL 2;:OUTP ON');
      writeFileSync(visaLog, '');
      const reply = await session.query(':READ?');
      expect(Number(reply)).toBeGreaterThan(-1);
      let log = readFileSync(visaLog, 'utf8').trim().split('\n');
      // Not a 1 s read asked again and again: on GPIB each one addresses the instrument to talk.
      expect(log.filter((l) => l.startsWith('viRead'))).toEqual(['viRead tmo=5000']);

      // Output off while a slow reply is pending: the clear, then reads only for awaited replies.
      writeFileSync(visaLog, '');
      const pending = session.query(':READ?').catch((e: Error) => e);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const confirmed = await session.urgent(async (link) => {
        await link.clear();
        await link.write(':OUTP OFF');
        return link.queryUntil(':OUTP?', (line) => line.trim() === '0', 4000);
      });
      expect(confirmed.trim()).toBe('0');
      expect(await pending).toBeInstanceOf(Error);
      log = readFileSync(visaLog, 'utf8').trim().split('\n');
      const clear = log.indexOf('viClear ');
      expect(clear).toBeGreaterThan(0);
      const after = log.slice(clear + 1);
      // One read for :OUTP?'s reply (the stale :READ? reply arrives on the read already in flight).
      expect(after.filter((l) => l.startsWith('viRead')).length).toBeLessThanOrEqual(1);
      console.log(`VISA log around an urgent off: ${log.join(' | ')}`);
    } finally {
      await session.close();
      process.env.FAKE_VISA_TARGET = `127.0.0.1:${sim.port}`;
      await slow.close();
    }
  });

  it('finds VISA libraries the way the dynamic linker does (ldconfig -p), 64-bit first', () => {
    const output = [
      "1234 libs found in cache `/etc/ld.so.cache'",
      '\tlibvisa.so.0 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libvisa.so.0',
      '\tlibiovisa.so (libc6) => /usr/lib/libiovisa.so',
      '\tlibiovisa.so (libc6,x86-64) => /opt/keysight/iolibs/libiovisa.so',
      '\tlibrsvisa.so.7 (libc6,x86-64) => /usr/lib64/librsvisa.so.7',
      '\tlibvisual.so.0 (libc6,x86-64) => /usr/lib/libvisual.so.0',
    ].join('\n');
    expect(visaLibrariesFromLdconfig(output)).toEqual([
      '/usr/lib/x86_64-linux-gnu/libvisa.so.0',
      '/opt/keysight/iolibs/libiovisa.so',
      '/usr/lib64/librsvisa.so.7',
      '/usr/lib/libiovisa.so',
    ]);
  });

  it('a missing resource and the list of resources', async () => {
    await expect(connectInstrument('GPIB0::9::INSTR')).rejects.toThrow(
      /GPIB0::9::INSTR was not found by VISA/,
    );
    expect(await listVisaResources()).toEqual([
      'TCPIP0::192.168.0.5::inst0::INSTR',
      'GPIB0::22::INSTR',
      'USB0::0x05E6::0x2450::04096331::INSTR',
    ]);
  });

  it('`list` shows what the VISA library finds', async () => {
    const result = await runCli(['list', '--json'], {
      env: {
        RERAM_VISA_LIBRARY: library,
        FAKE_VISA_RESOURCES: 'GPIB0::22::INSTR',
        RERAM_SYSFS_ROOT: join(dir, 'no-sys'),
      },
    });
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as {
      resources: Array<{ resource: string; via: string }>;
      visaLibrary: string;
    };
    expect(listing.visaLibrary).toBe(library);
    expect(listing.resources).toContainEqual(
      expect.objectContaining({ resource: 'GPIB0::22::INSTR', via: 'VISA' }),
    );
  });

  it('without a VISA library: a clear error naming what to install', async () => {
    const result = await runCli(['idn', 'GPIB0::3::INSTR'], {
      env: { RERAM_VISA_LIBRARY: join(dir, 'none.so') },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/needs a VISA library.*NI-VISA.*--gpib-adapter/s);
  });
});

describe('USB-TMC through the usbtmc device files', () => {
  it('resolves USB0::vendor::product::serial through sysfs and talks through the device file', async () => {
    const bridge = await startPtyBridge({ host: '127.0.0.1', port: sim.port });
    try {
      // The kernel's layout: /sys/class/usbmisc/usbtmc0/device → the interface, whose parent holds the ids.
      const sys = join(dir, 'sys');
      const usbDevice = join(sys, 'devices', 'pci0000:00', 'usb1', '1-2');
      mkdirSync(join(usbDevice, '1-2:1.0'), { recursive: true });
      writeFileSync(join(usbDevice, 'idVendor'), '05e6\n');
      writeFileSync(join(usbDevice, 'idProduct'), '2450\n');
      writeFileSync(join(usbDevice, 'serial'), '04096331\n');
      mkdirSync(join(sys, 'class', 'usbmisc', 'usbtmc0'), { recursive: true });
      symlinkSync(join(usbDevice, '1-2:1.0'), join(sys, 'class', 'usbmisc', 'usbtmc0', 'device'));
      const dev = join(dir, 'dev');
      mkdirSync(dev, { recursive: true });
      symlinkSync(bridge.path, join(dev, 'usbtmc0'));
      process.env.RERAM_SYSFS_ROOT = sys;
      process.env.RERAM_DEV_ROOT = dev;

      expect(findUsbtmcDevices()).toEqual([
        expect.objectContaining({
          path: join(dev, 'usbtmc0'),
          resource: 'USB0::0x05E6::0x2450::04096331::INSTR',
        }),
      ]);
      writeFileSync(visaLog, '');
      const smu = await connectInstrument('USB0::0x05E6::0x2450::04096331::INSTR', { timeoutMs: 2000 });
      try {
        expect(smu.resource).toBe('USB0::0x05E6::0x2450::04096331::INSTR');
        const result = await runProcedure(
          smu,
          ProcedureParams.parse({ procedure: 'read', maxVoltage: 1, compliance: 1e-4, count: 3 }),
        );
        expect(result.status).toBe('completed');
      } finally {
        await smu.close();
      }
      // The native route was taken: VISA never saw this resource.
      expect(readFileSync(visaLog, 'utf8')).toBe('');
    } finally {
      delete process.env.RERAM_SYSFS_ROOT;
      delete process.env.RERAM_DEV_ROOT;
      await bridge.close();
    }
  });

  it("lists devices in the kernel's order (usbtmc2 before usbtmc10) and takes one without a serial number", () => {
    const sys = join(dir, 'sys-order');
    const add = (name: string, bus: string, serial?: string) => {
      const usbDevice = join(sys, 'devices', 'pci0000:00', 'usb1', bus);
      mkdirSync(join(usbDevice, `${bus}:1.0`), { recursive: true });
      writeFileSync(join(usbDevice, 'idVendor'), '2a8d\n');
      writeFileSync(join(usbDevice, 'idProduct'), '9101\n');
      if (serial !== undefined) writeFileSync(join(usbDevice, 'serial'), `${serial}\n`);
      mkdirSync(join(sys, 'class', 'usbmisc', name), { recursive: true });
      symlinkSync(join(usbDevice, `${bus}:1.0`), join(sys, 'class', 'usbmisc', name, 'device'));
    };
    add('usbtmc10', '1-3', 'MY10');
    add('usbtmc2', '1-4', 'MY2');
    add('usbtmc1', '1-5');
    const found = findUsbtmcDevices({ sys, dev: '/dev' });
    expect(found.map((d) => d.path)).toEqual(['/dev/usbtmc1', '/dev/usbtmc2', '/dev/usbtmc10']);
    // No serial: a resource that parses back and finds the device (the first of that vendor and product).
    expect(found[0]!.resource).toBe('USB0::0x2A8D::0x9101::*::INSTR');
    expect(
      resolveUsbtmc(parseResource(found[0]!.resource) as Extract<ResourceSpec, { kind: 'usb' }>, {
        sys,
        dev: '/dev',
      }),
    ).toBe('/dev/usbtmc1');
  });

  describe("the usbtmc driver's read semantics (drivers/usb/class/usbtmc.c, modelled)", () => {
    const withModel = async (
      model: '2400' | '2450',
      check: (session: ScpiSession, driver: UsbtmcDriverModel, transport: UsbtmcTransport) => Promise<void>,
    ) => {
      const slow = await startSim({ model, timeScale: 1 });
      const driver = await openUsbtmcModel(slow.port);
      const transport = new UsbtmcTransport(
        '/dev/usbtmc0',
        'USB0::0x05E6::0x2400::1::INSTR',
        async () => driver,
      );
      const session = new ScpiSession(transport, { timeoutMs: 9000 });
      try {
        await session.open();
        await check(session, driver, transport);
      } finally {
        await session.close();
        await slow.close();
      }
    };

    it("a reply slower than the driver's default 5 s arrives: the timeout is the session's deadline, and one read asks for it", async () => {
      await withModel('2400', async (session, driver) => {
        await session.write(':SOUR:DEL 5.5;:OUTP ON');
        const started = Date.now();
        const reply = await session.query(':READ?');
        expect(reply.split(',')).toHaveLength(5);
        expect(Date.now() - started).toBeGreaterThan(5000);
        // Before: a second read after the 5 s timeout got the late reply under the old bTag (0 bytes).
        expect(driver.log.filter((l) => l.startsWith('ioctl SET_TIMEOUT'))).toEqual([
          'ioctl SET_TIMEOUT 9000',
        ]);
        expect(driver.log.filter((l) => /^read tag=\d+ timeout/.test(l))).toHaveLength(1);
      });
    }, 20_000);

    it('after a timed-out read the late reply is aborted, not taken for the next query; 0 bytes is a protocol error, not a lost link', async () => {
      await withModel('2400', async (session, driver, transport) => {
        await session.write(':SOUR:DEL 1;:OUTP ON');
        await expect(session.query(':READ?', { timeoutMs: 300 })).rejects.toThrow(/within 300 ms/);
        await session.write(':SOUR:DEL 0');
        expect(await session.query('*IDN?')).toMatch(/KEITHLEY/);
        // The timed-out read's transfer was aborted: its late reply never reached a later read.
        expect(driver.log).toContain('ioctl ABORT_BULK_IN');
        expect(driver.log.some((l) => l.includes('0 bytes'))).toBe(false);
        driver.strayAnswer();
        await expect(session.query('*IDN?')).rejects.toThrow(/empty USB-TMC reply.*wrong bTag/);
        expect(transport.isOpen).toBe(true);
        expect(await session.query('*IDN?')).toMatch(/KEITHLEY/);
      });
    }, 20_000);
  });
});
