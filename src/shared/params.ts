/**
 * Parameters declared once: a zod schema carries its label, unit, range, default and help
 * (zod 4 `.meta()`), and the app's forms and the CLI's flags are generated from it.
 */
import { z } from 'zod';

export interface ParamMeta {
  label: string;
  /** SI unit of the value ('V', 'A', 's', 'S'…); inputs accept SI prefixes. */
  unit?: string;
  help?: string;
  /** Pre-filled in forms where the schema has no default (a required value the user confirms). */
  suggested?: number | string | boolean;
  /** Shown under "More settings" in forms. */
  advanced?: boolean;
  /** The CLI flag's name, when it is not the field's name in kebab case (`--baud`, `--timeout`). */
  flag?: string;
}

/** Attaches the metadata to the outermost schema, so it survives `.default()` and `.optional()`. */
export function param<T extends z.ZodType>(schema: T, meta: ParamMeta): T {
  return schema.meta(meta as unknown as Record<string, unknown>) as T;
}

export type FieldKind = 'number' | 'integer' | 'enum' | 'boolean' | 'numbers' | 'literal' | 'string';

export interface FieldInfo {
  key: string;
  meta: ParamMeta;
  kind: FieldKind;
  required: boolean;
  default: unknown;
  min?: number;
  max?: number;
  options?: readonly string[];
  /** The value a discriminating literal field must have. */
  literal?: unknown;
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; required: boolean; defaultValue: unknown } {
  let inner: z.ZodType = schema;
  let required = true;
  let defaultValue: unknown = undefined;
  for (;;) {
    if (inner instanceof z.ZodDefault) {
      required = false;
      defaultValue = (inner.def as { defaultValue: unknown }).defaultValue;
      inner = inner.def.innerType as z.ZodType;
    } else if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      required = false;
      inner = inner.def.innerType as z.ZodType;
    } else break;
  }
  return { inner, required, defaultValue };
}

/** The declared fields of an object schema, in order, with what forms and flags need. */
export function fieldsOf(object: z.ZodObject): FieldInfo[] {
  return Object.entries(object.shape as Record<string, z.ZodType>).map(([key, schema]) => {
    const meta = (schema.meta() ?? { label: key }) as unknown as ParamMeta;
    const { inner, required, defaultValue } = unwrap(schema);
    const info: FieldInfo = { key, meta, kind: 'number', required, default: defaultValue };
    if (inner instanceof z.ZodNumber) {
      info.kind = inner.isInt ? 'integer' : 'number';
      if (inner.minValue !== null && Number.isFinite(inner.minValue)) info.min = inner.minValue;
      if (inner.maxValue !== null && Number.isFinite(inner.maxValue)) info.max = inner.maxValue;
    } else if (inner instanceof z.ZodEnum) {
      info.kind = 'enum';
      info.options = inner.options as string[];
    } else if (inner instanceof z.ZodString) {
      info.kind = 'string';
    } else if (inner instanceof z.ZodBoolean) {
      info.kind = 'boolean';
    } else if (inner instanceof z.ZodArray) {
      info.kind = 'numbers';
    } else if (inner instanceof z.ZodLiteral) {
      info.kind = 'literal';
      info.literal = inner.value;
    }
    return info;
  });
}

/** camelCase → --kebab-case, as the CLI spells a field (or the flag its metadata names). */
export const flagName = (key: string, meta?: ParamMeta) =>
  `--${meta?.flag ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
