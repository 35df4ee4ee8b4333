/** The queue running (or the latest), what a queue does when there is none, and the earlier queues. */
import type { QueueView } from '../../../shared/api';
import { queueCounts } from '../../../shared/recipes';
import { QueueProgress } from './QueueProgress';

export function QueueColumn({
  shown,
  queues,
  onAction,
}: {
  shown: QueueView | undefined;
  queues: QueueView[];
  onAction(error?: string): void;
}) {
  return (
    <div className="results-column">
      {shown ? (
        <QueueProgress queue={shown} onAction={onAction} />
      ) : (
        <section className="card">
          <h2>No queue yet</h2>
          <p className="muted">
            A queue runs the recipe&apos;s steps on each cell in turn: every step on cell 0, then cell 1, …
            Each step is an ordinary run (stored, with the output off after it). A failed step is retried,
            then the rest of its cell is skipped. A step runs only on a cell in the state it needs (forming a
            pristine cell, programming a formed one); otherwise it is skipped, or you are asked. Resuming a
            queue runs every step that did not complete again, in order.
          </p>
        </section>
      )}
      {queues.length > 1 ? (
        <section className="card">
          <h2>Earlier queues</h2>
          <ul className="plain">
            {queues
              .filter((q) => q.id !== shown?.id)
              .map((q) => {
                const c = queueCounts(q);
                return (
                  <li key={q.id}>
                    Queue {q.id}: {q.name} <span className={`status ${q.status}`}>{q.status}</span>{' '}
                    <span className="muted">
                      {c.completed}/{q.steps.length} completed{c.failed ? `, ${c.failed} failed` : ''}
                    </span>
                  </li>
                );
              })}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
