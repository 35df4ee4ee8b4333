import type { Command } from 'commander';
import { runDoctor } from '../../system/doctor';
import { EXIT, formatTable, printJson, printLine } from '../output';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check Node, Electron, native modules, tools (socat, chromium) and serial ports')
    .option('--json', 'machine-readable report on stdout')
    .action(async (options: { json?: boolean }) => {
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
