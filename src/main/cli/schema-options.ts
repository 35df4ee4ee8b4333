/**
 * Commander options generated from zod schemas (src/shared/params.ts): one flag per declared
 * field, its description from the field's label, unit, range, default and help; values parsed
 * with SI prefixes ("100u", "1 mA") and validated by the same schema as the app's.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { z } from 'zod';
import { fieldsOf, flagName, type FieldInfo } from '../../shared/params';
import { parseSI } from '../../shared/units';
import { UsageError } from './output';

function describe(field: FieldInfo): string {
  const { meta } = field;
  const parts = [meta.label + (meta.unit ? ` (${meta.unit})` : '')];
  if (meta.help) parts.push(meta.help);
  if (field.options) parts.push(field.options.join('|'));
  if (field.kind === 'boolean') parts.push('on|off');
  if (field.min !== undefined || field.max !== undefined)
    parts.push(`range ${field.min ?? '−∞'}…${field.max ?? '∞'}`);
  if (field.required && field.kind !== 'literal') parts.push('required');
  else if (field.default !== undefined) parts.push(`default ${String(field.default)}`);
  return parts.join('; ');
}

function placeholder(field: FieldInfo): string {
  if (field.kind === 'numbers') return '<list|file>';
  if (field.kind === 'enum' || field.kind === 'boolean') return '<value>';
  if (field.kind === 'string') return '<text>';
  return `<${field.meta.unit || 'n'}>`;
}

/** The fields of several schemas, each key once (the first declaration wins), literals left out. */
export function unionFields(schemas: readonly z.ZodObject[], exclude: readonly string[] = []): FieldInfo[] {
  const seen = new Map<string, FieldInfo>();
  for (const schema of schemas)
    for (const field of fieldsOf(schema))
      if (!seen.has(field.key) && field.kind !== 'literal' && !exclude.includes(field.key))
        seen.set(field.key, field);
  return [...seen.values()];
}

export function addSchemaOptions(command: Command, fields: readonly FieldInfo[]): Command {
  for (const field of fields)
    command.option(`${flagName(field.key, field.meta)} ${placeholder(field)}`, describe(field));
  return command;
}

/** commander's camelCase key for a flag. */
const optionKey = (flag: string) =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function parseValue(field: FieldInfo, text: string, flag: string): unknown {
  switch (field.kind) {
    case 'number':
    case 'integer': {
      const value = parseSI(text, field.meta.unit ?? '');
      if (!Number.isFinite(value))
        throw new UsageError(
          `${flag} must be a number${field.meta.unit ? ` in ${field.meta.unit}` : ''} (SI prefixes allowed, e.g. 100u), got '${text}'`,
        );
      return value;
    }
    case 'boolean':
      if (/^(on|true|1|yes)$/i.test(text)) return true;
      if (/^(off|false|0|no)$/i.test(text)) return false;
      throw new UsageError(`${flag} must be on or off, got '${text}'`);
    case 'enum': {
      const match = field.options?.find((o) => o.toLowerCase() === text.toLowerCase());
      if (!match) throw new UsageError(`${flag} must be one of ${field.options?.join(', ')}, got '${text}'`);
      return match;
    }
    case 'numbers': {
      let body = text;
      if (!/^[\s\d.eE+,;-]/.test(text)) {
        try {
          body = readFileSync(text, 'utf8');
        } catch (error) {
          throw new UsageError(
            `${flag}: cannot read '${text}' (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
          );
        }
        try {
          const json = JSON.parse(body) as unknown;
          const list = Array.isArray(json) ? json : (json as { targets?: unknown }).targets;
          if (Array.isArray(list)) return list;
        } catch {
          // not JSON: a plain list
        }
      }
      const values = body
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map((part) => parseSI(part, field.meta.unit ?? ''));
      if (values.length === 0 || values.some((v) => !Number.isFinite(v)))
        throw new UsageError(`${flag} must be a list of numbers or a file holding one`);
      return values;
    }
    default:
      return text;
  }
}

/** The values given on the command line for these fields, parsed (defaults are left to zod). */
export function readSchemaOptions(
  options: Record<string, unknown>,
  fields: readonly FieldInfo[],
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const field of fields) {
    const flag = flagName(field.key, field.meta);
    const given = options[optionKey(flag)];
    if (given === undefined) continue;
    raw[field.key] = parseValue(field, String(given), flag);
  }
  return raw;
}

/** zod issues, in flag names: "--compliance: Required". */
export function usageFromZod(error: z.ZodError, fields: readonly FieldInfo[]): UsageError {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const text = error.issues
    .slice(0, 5)
    .map((issue) => {
      const key = String(issue.path[0] ?? '');
      const field = byKey.get(key);
      const name = field ? flagName(key, field.meta) : key || 'parameters';
      const message = issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
      return `${name}: ${message}`;
    })
    .join('; ');
  return new UsageError(text);
}
