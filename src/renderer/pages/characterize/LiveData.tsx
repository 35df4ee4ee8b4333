/**
 * The last run's points as they arrive: conductance, write-verify levels and I–V. The buffers
 * outlive the page, so coming back shows the run with what arrived meanwhile.
 */
import { useState } from 'react';
import { IvPlot } from '../../components/IvPlot';
import { LivePlot } from '../../components/LivePlot';
import { live, type RunView } from './live';
import { WriteVerifyLevels } from './WriteVerifyLevels';

export function LiveData({ run }: { run: RunView | undefined }) {
  const [logCurrent, setLogCurrent] = useState(true);
  const { buffer, iv, tally } = live;
  return (
    <section className="card" aria-labelledby="live-title">
      <h2 id="live-title">Live data</h2>
      <LivePlot buffer={buffer} targets={run?.targets} />
      {run?.targets ? <WriteVerifyLevels targets={run.targets} tally={tally} /> : null}
      <div className="row">
        <label className="checkbox-line">
          <input
            type="checkbox"
            name="logCurrent"
            checked={logCurrent}
            onChange={(e) => setLogCurrent(e.target.checked)}
          />{' '}
          log |I|
        </label>
      </div>
      <IvPlot
        title="Current against voltage of every point"
        series={iv.view()}
        log={logCurrent}
        {...(iv.pulsesWithoutVoltage > 0
          ? {
              emptyText: 'No I–V points: these pulses measure current, not voltage',
            }
          : {})}
      />
    </section>
  );
}
