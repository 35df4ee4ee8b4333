/**
 * Typed instrument settings, one declaration each (PyMeasure's `control`, QCoDeS's `val_mapping`):
 * the SCPI header, the value type with its range or its value map, and a line of documentation.
 * Generic code validates, formats, sends, reads back and snapshots them.
 */
import { outOfRange } from '../../../shared/errors';

/** What a range may depend on (the NPLC range follows the power-line frequency). */
export interface SettingContext {
  lineFrequency: number;
}

type Bound = number | ((context: SettingContext) => number);

interface SettingBase {
  /** SCPI header: set is `header value`, get is `header?`. */
  header: string;
  doc: string;
  /** false when the instrument has no query form. */
  readable?: boolean;
}

export interface NumberSetting extends SettingBase {
  type: 'number';
  unit: string;
  min: Bound;
  max: Bound;
}

export interface BooleanSetting extends SettingBase {
  type: 'boolean';
}

export interface EnumSetting<V extends string = string> extends SettingBase {
  type: 'enum';
  /** Our value → the instrument's token (its short form; replies may use either form). */
  values: Readonly<Record<V, string>>;
  /** The token goes in double quotes (`:SENS:FUNC "CURR"`). */
  quoted?: boolean;
}

export type Setting = NumberSetting | BooleanSetting | EnumSetting;
export type SettingTable = Readonly<Record<string, Setting>>;

export type SettingValue<S extends Setting> = S extends NumberSetting
  ? number
  : S extends BooleanSetting
    ? boolean
    : S extends EnumSetting<infer V>
      ? V
      : never;

export type AnySettingValue = number | boolean | string;

export const numberSetting = (header: string, unit: string, min: Bound, max: Bound, doc: string) =>
  ({ type: 'number', header, unit, min, max, doc }) as const satisfies NumberSetting;
export const booleanSetting = (header: string, doc: string) =>
  ({ type: 'boolean', header, doc }) as const satisfies BooleanSetting;
export const enumSetting = <V extends string>(
  header: string,
  values: Readonly<Record<V, string>>,
  doc: string,
  options: { quoted?: boolean; readable?: boolean } = {},
): EnumSetting<V> => ({ type: 'enum', header, values, doc, ...options });

/** Compact SCPI number: enough digits for any setting, no locale. */
export function num(value: number): string {
  return Number(value.toPrecision(9)).toString().replace('e+', 'E').replace('e-', 'E-');
}

const bound = (b: Bound, context: SettingContext) => (typeof b === 'function' ? b(context) : b);

export function numberRange(spec: NumberSetting, context: SettingContext): { min: number; max: number } {
  return { min: bound(spec.min, context), max: bound(spec.max, context) };
}

/** Validates a value against its declaration and renders the command that sets it. */
export function setCommand(
  name: string,
  spec: Setting,
  value: AnySettingValue,
  context: SettingContext,
): string {
  switch (spec.type) {
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw outOfRange(`${name} must be a finite number, got ${String(value)}`);
      const { min, max } = numberRange(spec, context);
      if (value < min || value > max)
        throw outOfRange(
          `${name} ${num(value)} ${spec.unit} is outside the instrument's range ${num(min)}…${num(max)} ${spec.unit}`,
          { setting: name, value, min, max },
        );
      return `${spec.header} ${num(value)}`;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw outOfRange(`${name} must be on or off`);
      return `${spec.header} ${value ? 'ON' : 'OFF'}`;
    case 'enum': {
      const token = typeof value === 'string' ? spec.values[value] : undefined;
      if (token === undefined)
        throw outOfRange(
          `${name} must be one of ${Object.keys(spec.values).join(', ')}, got ${String(value)}`,
        );
      return `${spec.header} ${spec.quoted ? `"${token}"` : token}`;
    }
  }
}

/** Reads a reply back into our value: numbers, booleans, and enum tokens in short or long form. */
export function parseSettingReply(spec: Setting, reply: string): AnySettingValue {
  const text = reply.trim().replace(/^"|"$/g, '');
  switch (spec.type) {
    case 'number': {
      const value = Number(text);
      return Number.isFinite(value) ? value : text;
    }
    case 'boolean':
      return text === '1' || /^ON$/i.test(text);
    case 'enum': {
      const upper = text.toUpperCase();
      for (const [value, token] of Object.entries(spec.values)) {
        const short = token.toUpperCase();
        if (upper === short || upper.startsWith(short)) return value;
      }
      return text;
    }
  }
}
