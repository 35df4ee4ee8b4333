import { UsageError } from './output';

export function parseNumberOption(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UsageError(`${name} must be a number, got '${text}'`);
  return value;
}

export function parseNonNegative(text: string, name: string): number {
  const value = parseNumberOption(text, name);
  if (value < 0) throw new UsageError(`${name} must be ≥ 0, got ${text}`);
  return value;
}

export function parsePositive(text: string, name: string): number {
  const value = parseNumberOption(text, name);
  if (!(value > 0)) throw new UsageError(`${name} must be > 0, got ${text}`);
  return value;
}

export function parsePositiveInt(text: string, name: string, min = 1): number {
  const value = parseNumberOption(text, name);
  if (!Number.isInteger(value) || value < min)
    throw new UsageError(`${name} must be a whole number ≥ ${min}, got ${text}`);
  return value;
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--listen must be host:port, got '${text}'`);
  const port = Number(match[2]);
  if (port > 65535) throw new UsageError(`port ${port} is out of range`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

export function parseList<T>(text: string, name: string, item: (part: string) => T): T[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new UsageError(`${name} needs at least one value`);
  return parts.map(item);
}

/** --device: where ONNX Runtime runs. */
export function parseDevice(text: string): 'cpu' | 'cuda' {
  const device = text.trim().toLowerCase();
  if (device !== 'cpu' && device !== 'cuda')
    throw new UsageError(`--device must be cpu or cuda, got '${text}'`);
  return device;
}
