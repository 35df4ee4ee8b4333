/** The prediction running in main: progress with time left, and accuracy so far. */
import type { PredictionProgress } from '../../../shared/api';
import { accuracyChart } from '../../../shared/charts/prediction';
import { formatNumber } from '../../../shared/units';
import { formatDuration } from '../../components/Field';
import { SvgChart } from '../../components/SvgChart';

export function RunningCard({ running }: { running: PredictionProgress }) {
  const partialChart = running.partial.length
    ? accuracyChart(running.partial, `Accuracy so far (prediction ${running.id})`)
    : undefined;
  return (
    <section className="card" aria-labelledby="running-title" data-testid="prediction-running">
      <h2 id="running-title">Prediction {running.id} running</h2>
      <div className="progress" aria-live="polite">
        <progress max={1000} value={Math.round(running.fraction * 1000)} aria-label="Prediction progress" />
        <span className="muted" data-testid="progress-text">
          {Math.round(100 * running.fraction)} % · {formatDuration(running.elapsedS)} elapsed
          {running.remainingS !== null ? ` · ${formatDuration(running.remainingS)} left` : ''}
          {running.imagesPerSecond !== null
            ? ` · ${formatNumber(running.imagesPerSecond, 3)} images/s`
            : ''}{' '}
          · {running.message}
        </span>
      </div>
      <p className="muted">
        It keeps running if you leave this page; Cancel stops it (Esc is only the instrument's Output OFF).
      </p>
      {partialChart ? <SvgChart spec={partialChart} testId="partial-chart" /> : null}
    </section>
  );
}
