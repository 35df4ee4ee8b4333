/**
 * A form generated from a zod object schema's declarations (src/shared/params.ts): each field's
 * label, unit, help, default and options come from the schema, so a new parameter appears here,
 * and as a CLI flag, by being declared once.
 */
import { Fragment } from 'react';
import type { z } from 'zod';
import { fieldsOf, type FieldInfo } from '../../shared/params';
import { formatNumber, formatSI, parseSI, takesSiPrefix } from '../../shared/units';
import { CheckboxField, NumberField, SelectField, TextField } from './Field';

export type FormValues = Record<string, string>;

/** A field's zod issue in the user's units: "at most 10 s", not "expected number to be <=10". */
export function issueText(
  issue: { code: string; message: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean },
  field: FieldInfo | undefined,
): string {
  const unit = field?.meta.unit;
  const show = (value: unknown) =>
    typeof value === 'number'
      ? unit && takesSiPrefix(unit)
        ? formatSI(value, unit)
        : `${formatNumber(value, 6)}${unit ? ` ${unit}` : ''}`
      : String(value);
  if (issue.code === 'invalid_type' && (field?.kind === 'integer' || field?.kind === 'number'))
    return field.kind === 'integer' ? 'Enter a whole number' : 'Enter a number (e.g. 1e-3 or 1m)';
  if (issue.code === 'too_big' && issue.maximum !== undefined)
    return `At most ${show(issue.maximum)}${issue.inclusive === false ? ' (exclusive)' : ''}`;
  if (issue.code === 'too_small' && issue.minimum !== undefined)
    return issue.minimum === 0 && issue.inclusive === false
      ? 'Must be more than 0'
      : `At least ${show(issue.minimum)}${issue.inclusive === false ? ' (exclusive)' : ''}`;
  return issue.message;
}

/** Field errors of a failed parse, keyed by field, in the user's units. */
export function fieldErrorsOf(
  issues: ReadonlyArray<{ code: string; message: string; path: PropertyKey[] }>,
  fields: readonly FieldInfo[],
  raw: Record<string, unknown>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '');
    const value = raw[key];
    errors[key] ??=
      value === null
        ? 'Required'
        : typeof value === 'number' && Number.isNaN(value)
          ? 'Enter a number (e.g. 1e-3 or 1m)'
          : issueText(
              issue as Parameters<typeof issueText>[0],
              fields.find((f) => f.key === key),
            );
  }
  return errors;
}

function displayDefault(field: FieldInfo, suggested: unknown): string {
  const value = suggested ?? field.default ?? field.meta.suggested;
  if (value === undefined) return '';
  if (field.kind === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && takesSiPrefix(field.meta.unit) && field.kind === 'number')
    return formatSI(value, field.meta.unit!)
      .replace(` ${field.meta.unit}`, '')
      .replace(' ', '')
      .replace('µ', 'u');
  return String(value);
}

export function formFields(schema: z.ZodObject, exclude: readonly string[] = []): FieldInfo[] {
  return fieldsOf(schema).filter((f) => f.kind !== 'literal' && !exclude.includes(f.key));
}

export function initialFormValues(
  fields: readonly FieldInfo[],
  suggested: Record<string, unknown> = {},
): FormValues {
  return Object.fromEntries(fields.map((f) => [f.key, displayDefault(f, suggested[f.key])]));
}

/**
 * What the form holds, as the schema expects it: SI numbers parsed, empty optionals left out. A
 * field the form shows filled in (it has a default) is required: emptied, it is an error (null),
 * never a silent fall-back to the default the user just deleted.
 */
export function formToRaw(fields: readonly FieldInfo[], values: FormValues): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const field of fields) {
    const text = (values[field.key] ?? '').trim();
    if (text === '') {
      if (field.required || field.default !== undefined) raw[field.key] = null;
      continue;
    }
    switch (field.kind) {
      case 'number':
      case 'integer':
        raw[field.key] = parseSI(text, field.meta.unit ?? '');
        break;
      case 'boolean':
        raw[field.key] = text === 'true';
        break;
      case 'numbers':
        raw[field.key] = text
          .split(/[\s,;]+/)
          .filter(Boolean)
          .map((part) => parseSI(part, field.meta.unit ?? ''));
        break;
      default:
        raw[field.key] = text;
    }
  }
  return raw;
}

export function SchemaFields({
  fields,
  values,
  onChange,
  errors,
  idPrefix,
}: {
  fields: readonly FieldInfo[];
  values: FormValues;
  onChange: (key: string, value: string) => void;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const render = (f: FieldInfo) => {
    const common = {
      label: f.meta.label,
      error: errors[f.key],
      hint: f.meta.help,
    };
    const value = values[f.key] ?? '';
    switch (f.kind) {
      case 'enum':
        return (
          <SelectField
            {...common}
            name={f.key}
            value={value}
            onChange={(v) => onChange(f.key, v)}
            options={[
              ...(f.required || f.default !== undefined ? [] : [{ value: '', label: 'instrument default' }]),
              ...(f.options ?? []).map((o) => ({ value: o, label: o })),
            ]}
          />
        );
      case 'boolean':
        return (
          <CheckboxField
            {...common}
            name={f.key}
            checked={value === 'true'}
            onChange={(checked) => onChange(f.key, checked ? 'true' : 'false')}
          />
        );
      case 'numbers':
      case 'string':
        return (
          <TextField
            {...common}
            name={f.key}
            value={value}
            onChange={(v) => onChange(f.key, v)}
            placeholder={
              f.kind === 'numbers' ? `e.g. 10u, 20u, 30u${f.meta.unit ? ` (${f.meta.unit})` : ''}` : undefined
            }
          />
        );
      default:
        return (
          <NumberField
            {...common}
            name={f.key}
            unit={f.meta.unit}
            value={value}
            onChange={(v) => onChange(f.key, v)}
            required={f.required}
            echo
          />
        );
    }
  };
  const basic = fields.filter((f) => !f.meta.advanced);
  const advanced = fields.filter((f) => f.meta.advanced);
  return (
    <>
      {basic.map((f) => (
        <Fragment key={`${idPrefix}-${f.key}`}>{render(f)}</Fragment>
      ))}
      {advanced.length ? (
        <details className="wide more-settings">
          <summary>More settings</summary>
          <div className="form">
            {advanced.map((f) => (
              <Fragment key={`${idPrefix}-${f.key}`}>{render(f)}</Fragment>
            ))}
          </div>
        </details>
      ) : null}
    </>
  );
}
