/**
 * Accuracy against time: the form's prediction, run again at each time of the timeline (fresh,
 * 1 min … 10 y), without and with global drift compensation, one stored prediction each; the
 * chart fills in as they finish. Cancel stops the running one and the rest.
 */
import { useCallback, useRef, useState } from 'react';
import type { PredictionRequest } from '../../shared/api';
import {
  accuracyTimeChart,
  predictionCaption,
  TIMELINE,
  type TimelinePoint,
} from '../../shared/charts/prediction';
import type { PredictionReport } from '../../shared/rca/report';
import { SvgChart } from '../components/SvgChart';
import { getApi } from '../api/client';
import { errorText, useApiEvent } from '../hooks/api';

interface Step {
  after: number;
  compensated: boolean;
}

const PLAN: readonly Step[] = TIMELINE.flatMap((t, k) =>
  k === 0
    ? [{ after: t.after, compensated: false }]
    : [
        { after: t.after, compensated: false },
        { after: t.after, compensated: true },
      ],
);

export function DriftTimeline({
  buildRequest,
  busy,
}: {
  /** The form's prediction as it stands; throws with what to fix. */
  buildRequest: () => Promise<PredictionRequest>;
  /** Another prediction is running. */
  busy: boolean;
}) {
  const [points, setPoints] = useState<TimelinePoint[]>([]);
  const [current, setCurrent] = useState<{ id: number; step: number } | null>(null);
  const [error, setError] = useState<string>();
  const [first, setFirst] = useState<PredictionReport>();
  const request = useRef<PredictionRequest | undefined>(undefined);

  const startStep = useCallback(async (step: number) => {
    const base = request.current!;
    const { after, compensated } = PLAN[step]!;
    const { id } = await getApi().call['predictions.start']({
      ...base,
      settings: { ...base.settings, after, driftCompensation: compensated },
    });
    setCurrent({ id, step });
  }, []);

  const start = async () => {
    setError(undefined);
    try {
      request.current = await buildRequest();
      setPoints([]);
      await startStep(0);
    } catch (e) {
      setError(errorText(e));
    }
  };

  useApiEvent(
    'prediction.ended',
    useCallback(
      (event: { id: number; status: string; error: string | null }) => {
        if (!current || event.id !== current.id) return;
        if (event.status !== 'completed') {
          setCurrent(null);
          if (event.status === 'failed')
            setError(`The prediction at ${label(PLAN[current.step]!)} failed: ${event.error ?? ''}`);
          return;
        }
        void getApi()
          .call['predictions.get']({ id: event.id })
          .then(async (record) => {
            const step = PLAN[current.step]!;
            if (record.report) {
              if (current.step === 0) setFirst(record.report);
              setPoints((p) => [...p, { ...step, results: record.report!.results }]);
            }
            if (current.step + 1 < PLAN.length) await startStep(current.step + 1);
            else setCurrent(null);
          })
          .catch((e: unknown) => {
            setCurrent(null);
            setError(errorText(e));
          });
      },
      [current, startStep],
    ),
  );

  const cancel = () => {
    if (!current) return;
    const id = current.id;
    setCurrent(null);
    void getApi()
      .call['predictions.cancel']({ id })
      .catch(() => undefined);
  };

  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Accuracy against time</h2>
      <p className="muted">
        The prediction above, at {TIMELINE.map((t) => t.label).join(', ')} after programming, each level
        drifting by the profile&apos;s measured law (or the Drift ν you give), without and with drift
        compensation: {PLAN.length} predictions, each stored.
      </p>
      <div className="row">
        <button type="button" onClick={() => void start()} disabled={busy || current !== null}>
          Predict accuracy against time
        </button>
        {current ? (
          <>
            <span aria-live="polite" data-testid="timeline-progress">
              {current.step + 1} of {PLAN.length}: {label(PLAN[current.step]!)}
            </span>
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          </>
        ) : null}
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {points.length ? (
        <SvgChart
          spec={accuracyTimeChart(points, first ? timelineCaption(first) : [])}
          testId="timeline-chart"
        />
      ) : null}
    </section>
  );
}

function label(step: Step): string {
  const time = TIMELINE.find((t) => t.after === step.after)?.label ?? `${step.after} s`;
  return `${time}${step.compensated ? ', compensated' : ''}`;
}

/** The settings behind the timeline, from its first (fresh) prediction, and where ν came from. */
function timelineCaption(report: PredictionReport): string[] {
  const { device } = report.settings;
  const drift =
    device.driftNu !== undefined
      ? `drift: ν = ${device.driftNu} ± ${device.driftNuSigma} for every level (given, not measured)`
      : "drift: the profile's measured law (its retention runs)";
  return [...predictionCaption(report), drift];
}
