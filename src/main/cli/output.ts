import { ReramError } from '../../shared/errors';

/** Exit codes: scripts can tell a usage error from a failed operation from a user cancel. */
export const EXIT = { ok: 0, failure: 1, usage: 2, cancelled: 130, terminated: 143 } as const;

export class UsageError extends ReramError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'UsageError';
  }
}

/** Logs and progress go to stderr so stdout stays clean data. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A plain text table, columns padded; numbers right-aligned. */
export function formatTable(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const pad = (text: string, i: number, numeric: boolean) =>
    numeric ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const isNumeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const lines = [
    headers.map((h, i) => pad(h, i, isNumeric[i]!)).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((row) => row.map((cell, i) => pad(cell, i, isNumeric[i]!)).join('  ')),
  ];
  return lines.map((line) => line.trimEnd()).join('\n');
}

/** A single live progress line on stderr (only when stderr is a terminal, to keep logs clean). */
export class ProgressLine {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  update(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    if (this.tty) process.stderr.write(`\r\x1b[2K${text}`);
  }

  done(text?: string): void {
    if (this.tty) process.stderr.write('\r\x1b[2K');
    if (text) log(text);
  }
}
