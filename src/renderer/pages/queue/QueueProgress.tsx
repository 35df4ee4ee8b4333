/** A queue as it runs: progress, the question or probe move it waits on, stop and resume, and every step. */
import type { QueueView } from '../../../shared/api';
import { queueCounts } from '../../../shared/recipes';
import { getApi } from '../../api/client';
import { DataTable, type Column } from '../../components/DataTable';
import { errorText } from '../../hooks/api';

type Act = (what: () => Promise<unknown>) => Promise<void>;

/** What the queue waits on: an answer about a cell not ready for its step, or the probes moved. */
function QueueWaits({ queue, act }: { queue: QueueView; act: Act }) {
  const api = getApi().call;
  return (
    <>
      {queue.question ? (
        <div className="warn-banner" role="alert" data-testid="queue-question">
          Cell {queue.question.cell}, {queue.question.procedure}: {queue.question.reason}.{' '}
          <button
            type="button"
            onClick={() =>
              void act(() =>
                api['queue.answer']({ id: queue.id, position: queue.question!.position, run: true }),
              )
            }
          >
            Run anyway
          </button>{' '}
          <button
            type="button"
            className="primary"
            onClick={() =>
              void act(() =>
                api['queue.answer']({ id: queue.id, position: queue.question!.position, run: false }),
              )
            }
          >
            Skip this step
          </button>
        </div>
      ) : null}
      {queue.waitingForCell !== null ? (
        <div className="warn-banner" role="alert">
          Move the probes to cell {queue.waitingForCell}, then{' '}
          <button
            type="button"
            className="primary"
            onClick={() => void act(() => api['queue.continue']({ id: queue.id }))}
          >
            Continue
          </button>
        </div>
      ) : null}
    </>
  );
}

function QueueControls({ queue, act, unfinished }: { queue: QueueView; act: Act; unfinished: number }) {
  const api = getApi().call;
  return (
    <div className="row">
      {queue.status === 'running' ? (
        <>
          <button
            type="button"
            disabled={queue.stopping}
            onClick={() => void act(() => api['queue.stop']({ id: queue.id }))}
          >
            {queue.stopping ? 'Stopping after this step…' : 'Stop after this step'}
          </button>
          <button
            type="button"
            className="danger"
            title="Cancels the running step (output off); resuming runs it again"
            onClick={() => void act(() => api['queue.stop']({ id: queue.id, now: true }))}
          >
            Stop now
          </button>
        </>
      ) : null}
      {queue.status !== 'running' && unfinished > 0 ? (
        <button
          type="button"
          className="primary"
          onClick={() => void act(() => api['queue.start']({ resume: queue.id }))}
        >
          Resume: run the {unfinished} unfinished step{unfinished === 1 ? '' : 's'} again
        </button>
      ) : null}
    </div>
  );
}

const STEP_COLUMNS: Array<Column<QueueView['steps'][number]>> = [
  { header: 'cell', cell: (s) => s.cell },
  { header: 'step', cell: (s) => s.step + 1 },
  { header: 'procedure', className: 'text', cell: (s) => s.procedure },
  {
    header: 'status',
    className: 'text',
    cell: (s) => <span className={`status ${s.status}`}>{s.status}</span>,
  },
  { header: 'run', cell: (s) => (s.runId !== null ? <a href={`#/runs?run=${s.runId}`}>{s.runId}</a> : '') },
  { header: 'attempts', cell: (s) => s.attempts || '' },
  { header: 'note', className: 'text', cellClassName: 'text muted', cell: (s) => s.error ?? '' },
];

function StepTable({ queue }: { queue: QueueView }) {
  return (
    <DataTable
      columns={STEP_COLUMNS}
      rows={queue.steps}
      rowKey={(s) => s.position}
      rowProps={(s) => ({ 'data-status': s.status })}
      testId="queue-steps"
      scroll="table-scroll history"
    />
  );
}

export function QueueProgress({ queue, onAction }: { queue: QueueView; onAction: (error?: string) => void }) {
  const counts = queueCounts(queue);
  const total = queue.steps.length;
  const finished = counts.completed + counts.failed + counts.skipped;
  const unfinished = total - counts.completed;
  const act = async (what: () => Promise<unknown>) => {
    try {
      await what();
      onAction();
    } catch (e) {
      onAction(errorText(e));
    }
  };
  return (
    <section className="card" aria-labelledby="queue-title" data-testid="queue-progress">
      <h2 id="queue-title">
        Queue {queue.id}: {queue.name} <span className={`status ${queue.status}`}>{queue.status}</span>
      </h2>
      <div className="progress" aria-live="polite">
        <progress max={total} value={finished} aria-label={`Queue ${queue.id} progress`} />
        <span className="muted" data-testid="queue-summary">
          {finished} of {total} steps · {counts.completed} completed · {counts.failed} failed ·{' '}
          {counts.skipped} skipped
          {counts.pending + counts.cancelled ? ` · ${counts.pending + counts.cancelled} not run` : ''}
        </span>
      </div>
      <QueueWaits queue={queue} act={act} />
      <QueueControls queue={queue} act={act} unfinished={unfinished} />
      <StepTable queue={queue} />
    </section>
  );
}
