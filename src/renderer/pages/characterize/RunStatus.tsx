/** The last run (its progress, how it ended, where to go next), the cell guard's question, and the page before a connection. */
import { formatSI } from '../../../shared/units';
import { ErrorBanner, Progress } from '../../components/Field';
import type { RunView } from './live';

export function RunStatus({ run, running }: { run: RunView; running: boolean }) {
  return (
    <div className="card" style={{ marginTop: '0.75rem' }} data-testid="run-status">
      <Progress
        label={`Run ${run.runId} progress`}
        done={run.done}
        total={run.total}
        remainingS={running ? run.remainingS : null}
        message={run.ended ? undefined : run.message}
      />
      {run.ended ? (
        <p>
          Run {run.runId} {run.ended.status} with {run.ended.points} points, stored in the database.{' '}
          {(run.procedure === 'pulse-train' || run.procedure === 'write-verify') &&
          run.ended.status === 'completed' ? (
            <a href={`#/levels?run=${run.runId}`}>Fit run {run.runId} on the Levels page →</a>
          ) : null}
          {run.ended.summary.formed === true
            ? ` Formed at ${formatSI(Number(run.ended.summary.formingVoltage), 'V')}.`
            : run.ended.summary.formed === false
              ? ' No forming event: raise the ramp stop or the compliance.'
              : ''}
        </p>
      ) : (
        <p className="muted">
          Run {run.runId} is recording: points are saved as they arrive. Press Output OFF / Abort (or Esc) to
          stop at once.
        </p>
      )}
      {run.ended?.error ? <ErrorBanner error={run.ended.error.message} /> : null}
    </div>
  );
}

/** The cell guard: the cell's recorded state says this procedure should not run on it. */
export function CellGuardBanner({
  message,
  onRun,
  onSkip,
}: {
  message: string;
  onRun(): void;
  onSkip(): void;
}) {
  return (
    <div className="warn-banner" role="alert" data-testid="cell-guard">
      {message}{' '}
      <button type="button" onClick={onRun}>
        Run anyway
      </button>{' '}
      <button type="button" className="primary" onClick={onSkip}>
        Don&apos;t run
      </button>
    </div>
  );
}

export function NotConnected() {
  return (
    <section className="card">
      <h2>Characterize</h2>
      <p>
        Connect to an instrument first: <a href="#/instrument">Instrument page</a> (the Virtual SMU works out
        of the box).
      </p>
    </section>
  );
}
