import type { Command } from 'commander';
import { connectInstrument } from '../../services/bench';
import type { CheckItem } from '../../services/bench';
import { runDoctor } from '../../system/doctor';
import { addConnectionOptions, connectionOptions } from '../connection-options';
import { EXIT, formatTable, printJson, printLine } from '../output';

/** The bring-up check of one instrument: read-only, output untouched. */
async function checkInstrument(resource: string, options: Record<string, unknown>): Promise<void> {
  let items: CheckItem[];
  const connection = connectionOptions(options); // usage errors stay usage errors (exit 2)
  try {
    const smu = await connectInstrument(resource, connection);
    try {
      items = await smu.diagnose();
    } finally {
      await smu.close();
    }
  } catch (error) {
    // Not even an identity: the first item says why, with the usual suspects as the fix.
    const message = (error as Error).message;
    const code = (error as { code?: string }).code;
    const serial = /^ASRL/i.test(resource);
    items = [
      /command set/.test(message)
        ? {
            name: 'command language',
            status: 'fail',
            detail: message,
            fix: 'Switch the command set on the front panel, as above.',
          }
        : {
            name: 'identity and driver',
            status: 'fail',
            detail: message,
            fix:
              code === 'TIMEOUT' && serial
                ? 'No answer to *IDN?: check the baud rate (factory 9600), that commands end in CR (--write-term CR) and that --read-term matches MENU > COMMUNICATION > RS-232 > TERMINATOR.'
                : code === 'TIMEOUT'
                  ? 'No answer to *IDN?: check the address and port, and that nothing else holds the instrument.'
                  : 'Check the resource and the cable, then run the check again.',
          },
    ];
  }
  const ok = items.every((item) => item.status !== 'fail');
  if (options.json) printJson({ resource, ok, items });
  else {
    printLine(`Bring-up check of ${resource}`);
    printLine(
      formatTable(
        ['check', 'status', 'detail'],
        items.map((item) => [item.name, item.status.toUpperCase(), item.detail]),
      ),
    );
    for (const item of items.filter((i) => i.fix && i.status !== 'ok'))
      printLine(`  ${item.name}: ${item.fix}`);
  }
  process.exitCode = ok ? EXIT.ok : EXIT.failure;
}

export function registerDoctor(program: Command): void {
  const doctor = program
    .command('doctor')
    .description(
      'check Node, Electron, native modules, tools and serial ports; with --instrument, run the bring-up check of a bench',
    )
    .option('--instrument <resource>', 'check this instrument (read-only; the output is not touched)')
    .option('--json', 'machine-readable report on stdout');
  addConnectionOptions(doctor).action(async (options: Record<string, unknown>) => {
    if (typeof options.instrument === 'string') return checkInstrument(options.instrument, options);
    const report = await runDoctor();
    if (options.json) {
      printJson(report);
    } else {
      printLine(
        `ReRAM Bench ${report.appVersion} on Node ${report.node.version} (${report.node.platform}/${report.node.arch})`,
      );
      printLine(`Electron: ${report.electron.installed ? 'ok' : 'missing'}, ${report.electron.detail}`);
      printLine();
      printLine(
        formatTable(
          ['check', 'status', 'detail'],
          report.checks.map((c) => [c.name, c.ok ? 'ok' : c.required ? 'FAIL' : 'missing', c.detail]),
        ),
      );
      printLine();
      printLine(
        report.serialPorts.length
          ? `Serial ports: ${report.serialPorts.map((p) => p.path).join(', ')}`
          : 'Serial ports: none found',
      );
      if (report.serialPortWarning) printLine(`  note: ${report.serialPortWarning}`);
    }
    process.exitCode = report.ok ? EXIT.ok : EXIT.failure;
  });
}
