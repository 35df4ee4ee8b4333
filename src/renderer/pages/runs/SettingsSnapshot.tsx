/** What a run was set to: its procedure's parameters, labelled and in units, and the instrument's settings. */
import { useMemo } from 'react';
import { type RunSummary } from '../../../shared/run';
import { fieldsOf } from '../../../shared/params';
import { PROCEDURE_SCHEMAS } from '../../../shared/procedures';
import { useApiQuery } from '../../hooks/api';
import { withUnit } from './describe';

export function SettingsSnapshot({ run }: { run: RunSummary }) {
  const snapshot = useApiQuery('runs.settings', { runId: run.id });
  // A run whose settings cannot be read shows none (not the last run's).
  const settings = snapshot.error ? undefined : (snapshot.data as Record<string, unknown> | undefined);
  const settingUnits = (settings?.units ?? {}) as Record<string, string>;
  const paramFields = useMemo(
    () => new Map(fieldsOf(PROCEDURE_SCHEMAS[run.procedure].schema).map((f) => [f.key, f])),
    [run.procedure],
  );
  return (
    <details>
      <summary>Settings snapshot</summary>
      <dl className="kv" data-testid="run-settings">
        {Object.entries(run.params).map(([k, v]) => (
          <div key={`p-${k}`} style={{ display: 'contents' }}>
            <dt>{paramFields.get(k)?.meta.label ?? k}</dt>
            <dd>{withUnit(v, paramFields.get(k)?.meta.unit)}</dd>
          </div>
        ))}
        {Object.entries(settings ?? {})
          .filter(([k]) => k !== 'units')
          .map(([k, v]) => (
            <div key={`s-${k}`} style={{ display: 'contents' }}>
              <dt>instrument {k}</dt>
              <dd>{withUnit(v, settingUnits[k])}</dd>
            </div>
          ))}
      </dl>
    </details>
  );
}
