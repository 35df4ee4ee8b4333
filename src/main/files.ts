/**
 * Reading the files a user names (models, datasets, profiles, weights, targets): a missing file,
 * a directory, an unreadable or an oversized file each get a clear, typed error before any byte
 * is parsed.
 */
import { readFileSync, statSync } from 'node:fs';
import { ReramError } from '../shared/errors';

export interface UserFileOptions {
  /** What the file should be, for messages ("model", "profile"…). */
  what: string;
  maxBytes: number;
}

function describe(path: string, what: string, error: NodeJS.ErrnoException): ReramError {
  switch (error.code) {
    case 'ENOENT':
      return new ReramError('NOT_FOUND', `The ${what} file ${path} does not exist.`);
    case 'EACCES':
    case 'EPERM':
      return new ReramError('INVALID_INPUT', `The ${what} file ${path} cannot be read (permission denied).`);
    case 'EISDIR':
      return new ReramError('INVALID_INPUT', `${path} is a directory, not a ${what} file.`);
    default:
      return new ReramError(
        'INVALID_INPUT',
        `The ${what} file ${path} cannot be read (${error.code ?? error.message}).`,
      );
  }
}

export function checkUserFile(path: string, options: UserFileOptions): number {
  if (path.trim() === '') throw new ReramError('INVALID_INPUT', `No ${options.what} file was given.`);
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    size = stat.size;
  } catch (error) {
    throw describe(path, options.what, error as NodeJS.ErrnoException);
  }
  if (size > options.maxBytes)
    throw new ReramError(
      'OUT_OF_RANGE',
      `${path} is ${size} bytes; a ${options.what} file is at most ${options.maxBytes} bytes.`,
    );
  return size;
}

export function readUserFile(path: string, options: UserFileOptions): Uint8Array;
export function readUserFile(path: string, options: UserFileOptions & { encoding: 'utf8' }): string;
export function readUserFile(
  path: string,
  options: UserFileOptions & { encoding?: 'utf8' },
): Uint8Array | string {
  checkUserFile(path, options);
  try {
    const data = readFileSync(path);
    return options.encoding === 'utf8'
      ? data.toString('utf8')
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    throw describe(path, options.what, error as NodeJS.ErrnoException);
  }
}
