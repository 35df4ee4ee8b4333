/** The Characterize form: the procedure's fields, what a link asks for, and the checks before Start. */
import { useMemo } from 'react';
import type { InstrumentStatus } from '../../../shared/api';
import { PROCEDURE_SCHEMAS, ProcedureParams, type ProcedureName } from '../../../shared/procedures';
import { cellHarmWarnings, complianceCeiling, instrumentLimitErrors } from '../../../shared/procedure-checks';
import {
  fieldErrorsOf,
  formFields,
  formToRaw,
  initialFormValues,
  type FormValues,
} from '../../components/SchemaForm';

export const fieldsFor = (procedure: ProcedureName) =>
  formFields(PROCEDURE_SCHEMAS[procedure].schema, ['procedure']);

export function initialValues(procedure: ProcedureName, overrides: Record<string, string> = {}): FormValues {
  const values = initialFormValues(fieldsFor(procedure), PROCEDURE_SCHEMAS[procedure].suggested);
  for (const [key, value] of Object.entries(overrides)) if (key in values) values[key] = value;
  return values;
}

/** The procedure and field values a link asks for (#/characterize?procedure=…&targets=…). */
export function routeRequest(): { procedure: ProcedureName | undefined; overrides: Record<string, string> } {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const requested = params.get('procedure');
  const procedure =
    requested && Object.hasOwn(PROCEDURE_SCHEMAS, requested) ? (requested as ProcedureName) : undefined;
  const overrides: Record<string, string> = {};
  for (const [key, value] of params) if (key !== 'procedure') overrides[key] = value;
  return { procedure, overrides };
}

/**
 * The form checked as it is typed: the schema's messages, the instrument's own limits (a run it
 * cannot make is never recorded), and what would harm the cell (Start needs an acknowledgement).
 */
export function useProcedureChecks(
  procedure: ProcedureName,
  values: Record<string, string>,
  status: InstrumentStatus | undefined,
) {
  const fields = useMemo(() => fieldsFor(procedure), [procedure]);
  const raw = useMemo<Record<string, unknown>>(
    () => ({ procedure, ...formToRaw(fields, values) }),
    [procedure, fields, values],
  );
  const parsed = ProcedureParams.safeParse(raw);
  const widthRange = status?.pulseWidth;
  const nplcRange = status?.nplc;
  const fieldErrors = useMemo(() => {
    const errors = parsed.success ? {} : fieldErrorsOf(parsed.error.issues, fields, raw);
    return { ...instrumentLimitErrors(raw, { pulseWidth: widthRange, nplc: nplcRange }), ...errors };
  }, [parsed, raw, fields, widthRange, nplcRange]);
  const warnings = useMemo(
    () => (parsed.success ? cellHarmWarnings(parsed.data, complianceCeiling(status?.simulator?.preset)) : []),
    [parsed, status?.simulator?.preset],
  );
  return { fields, parsed, fieldErrors, warnings, warningKey: warnings.map((w) => w.message).join('\n') };
}
