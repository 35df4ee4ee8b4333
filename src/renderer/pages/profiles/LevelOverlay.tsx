/** The selected profiles' level tables overlaid: normalized (to compare non-linearity) or absolute. */
import { useMemo, useState } from 'react';
import type uPlot from 'uplot';
import type { DeviceProfile } from '../../../shared/profile/schema';
import { SelectField } from '../../components/Field';
import { siValues, CYCLE_COLORS, Plot, themedAxes } from '../../components/Plot';

type Scale = 'normalized' | 'absolute';

export function LevelOverlay({ overlay }: { overlay: DeviceProfile[] }) {
  const [scale, setScale] = useState<Scale>('normalized');
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: false }, y: scale === 'absolute' ? { distr: 3 } : {} },
      series: [
        { label: 'pulse fraction' },
        ...overlay.map((p, k) => ({
          label: p.name,
          stroke: CYCLE_COLORS[k % CYCLE_COLORS.length]!,
          width: 2,
          points: { show: false },
        })),
      ],
      axes: themedAxes(
        'position in the table (0 = first level, 1 = last)',
        scale === 'normalized' ? '(G − Gmin)/(Gmax − Gmin)' : 'conductance',
        scale === 'absolute' ? siValues('S', true) : undefined,
      ),
      legend: { live: false },
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [overlay.map((p) => p.name).join('|'), scale],
  );
  const data = useMemo(() => {
    // A common x grid; each table is resampled by linear interpolation at the same positions.
    const xs = Array.from({ length: 101 }, (_, k) => k / 100);
    const series = overlay.map((p) => {
      const levels = p.tables[0]!.levels;
      const gMin = levels[0]!.g;
      const gMax = levels[levels.length - 1]!.g;
      return xs.map((x) => {
        const pos = x * (levels.length - 1);
        const i = Math.min(levels.length - 2, Math.floor(pos));
        const g = levels[i]!.g + (pos - i) * (levels[i + 1]!.g - levels[i]!.g);
        return scale === 'normalized' ? (g - gMin) / (gMax - gMin) : g;
      });
    });
    return [xs, ...series] as uPlot.AlignedData;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [overlay.map((p) => p.name).join('|'), scale]);

  return (
    <section className="card" aria-labelledby="overlay-title">
      <h2 id="overlay-title">Level tables</h2>
      <SelectField
        label="Scale"
        name="scale"
        value={scale}
        onChange={setScale}
        options={[
          { value: 'normalized', label: 'Normalized window (compare non-linearity)' },
          { value: 'absolute', label: 'Absolute conductance (log)' },
        ]}
      />
      {overlay.length ? (
        <Plot
          title="Level tables of the selected profiles"
          options={options}
          data={data}
          height={340}
          testId="overlay-plot"
        />
      ) : (
        <p className="muted">Tick profiles to overlay their level tables.</p>
      )}
      <p className="muted">
        A straight diagonal is a perfectly linear device; the further a curve bows above it, the more a linear
        weight grid is distorted on that device — which MES corrects.
      </p>
    </section>
  );
}
