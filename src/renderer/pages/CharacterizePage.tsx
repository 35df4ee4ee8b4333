/**
 * Characterize: pick a procedure and a cell, check the settings against the instrument and the
 * cell, start the run, and watch its points arrive (conductance, I–V, write-verify levels).
 */
import { storedDieCells } from '../components/DieMap';
import { useCallback, useEffect, useState } from 'react';
import type { InstrumentStatus } from '../../shared/api';
import { ReramError } from '../../shared/errors';
import { PROCEDURE_SCHEMAS, type ProcedureName } from '../../shared/procedures';
import { getApi } from '../api/client';
import { ErrorBanner } from '../components/Field';

import { Tabs } from '../components/Tabs';
import { errorText } from '../hooks/api';
import { initialValues, routeRequest, useProcedureChecks } from './characterize/form';
import { LiveData } from './characterize/LiveData';
import { ProcedureForm } from './characterize/ProcedureForm';
import { CellGuardBanner, NotConnected, RunStatus } from './characterize/RunStatus';
import { useLiveRun } from './characterize/useLiveRun';

export function CharacterizePage({ status }: { status: InstrumentStatus | undefined }) {
  const [procedure, setProcedure] = useState<ProcedureName>(() => routeRequest().procedure ?? 'pulse-train');
  const [values, setValues] = useState<Record<string, string>>(() =>
    initialValues(procedure, routeRequest().overrides),
  );
  const [error, setError] = useState<string>();
  const [cellWarning, setCellWarning] = useState<string>();
  const [acknowledged, setAcknowledged] = useState('');
  const [storedCells, setDieCells] = useState(storedDieCells);
  const dieCells = status?.dieCells ?? status?.simulator?.cells ?? storedCells;
  const { run, begin, running } = useLiveRun();
  const checks = useProcedureChecks(procedure, values, status);
  const valid =
    checks.parsed.success &&
    Object.keys(checks.fieldErrors).length === 0 &&
    (checks.warnings.length === 0 || acknowledged === checks.warningKey);

  const choose = useCallback((next: ProcedureName, overrides: Record<string, string> = {}) => {
    setProcedure(next);
    setValues(initialValues(next, overrides));
  }, []);
  // A link to another procedure (the guide, "program these levels") while this page is open.
  useEffect(() => {
    const onHash = () => {
      const { procedure: requested, overrides } = routeRequest();
      if (requested) choose(requested, overrides);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [choose]);

  const start = async (acknowledgeCellState = false) => {
    if (!checks.parsed.success || !valid) return;
    setError(undefined);
    setCellWarning(undefined);
    try {
      const { runId } = await getApi().call['runs.start']({
        params: checks.parsed.data,
        acknowledgeCellState,
      });
      begin(runId, procedure);
    } catch (e) {
      // The cell guard: the cell's recorded state says this procedure should not run on it.
      if (e instanceof ReramError && e.code === 'NEEDS_CONFIRMATION' && e.details?.cellGuard)
        setCellWarning(e.message);
      else setError(errorText(e));
    }
  };
  const cancel = async () => {
    try {
      await getApi().call['runs.cancel']({});
    } catch (e) {
      setError(errorText(e));
    }
  };

  if (!status?.connected) return <NotConnected />;
  return (
    <div className="split">
      <section className="card form-column" aria-labelledby="procedure-title">
        <h2 id="procedure-title">Procedure</h2>
        <Tabs
          label="Procedure"
          tabs={(Object.keys(PROCEDURE_SCHEMAS) as ProcedureName[]).map(
            (id) => [id, PROCEDURE_SCHEMAS[id].title] as const,
          )}
          selected={procedure}
          onSelect={choose}
          disabled={running}
        />
        <ProcedureForm
          procedure={procedure}
          values={values}
          setValues={setValues}
          fields={checks.fields}
          fieldErrors={checks.fieldErrors}
          warnings={checks.warnings}
          warningKey={checks.warningKey}
          acknowledged={acknowledged}
          setAcknowledged={setAcknowledged}
          status={status}
          dieCells={dieCells}
          setDieCells={setDieCells}
          valid={valid}
          running={running}
          onStart={() => void start()}
          onCancel={() => void cancel()}
        />
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
        {cellWarning ? (
          <CellGuardBanner
            message={cellWarning}
            onRun={() => void start(true)}
            onSkip={() => setCellWarning(undefined)}
          />
        ) : null}
        {run ? <RunStatus run={run} running={running} /> : null}
      </section>
      <LiveData run={run} />
    </div>
  );
}
