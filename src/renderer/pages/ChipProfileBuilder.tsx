/**
 * One profile from the cells the statistics show (`profile build`): the mean level table with
 * each level's cycle-to-cycle and device-to-device σ, the cells left out and why, which spread
 * dominates, and the drift law of their retention runs; then on to a prediction with it.
 */
import { useState } from 'react';
import { getApi } from '../api/client';
import { ErrorBanner, TextField } from '../components/Field';
import { errorText } from '../hooks/api';

type Built = Awaited<ReturnType<ReturnType<typeof getApi>['call']['profiles.build']>>;

export function ChipProfileBuilder({ cells, defaultName }: { cells: number; defaultName: string }) {
  const [name, setName] = useState(defaultName);
  const [built, setBuilt] = useState<Built>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const build = async (overwrite: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      setBuilt(await getApi().call['profiles.build']({ cells, name, overwrite }));
    } catch (e) {
      setBuilt(undefined);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="chip-profile-title">
      <h3 id="chip-profile-title">A profile from these cells</h3>
      <p className="muted">
        Each cell&apos;s latest pulse train or write-verify is fitted; the profile holds the mean levels with
        their cycle-to-cycle and device-to-device σ (a chip table and a one-device table), and the drift law
        of the cells&apos; retention runs.
      </p>
      <div className="row">
        <TextField label="Profile name" name="chipProfileName" value={name} onChange={setName} required />
        <button type="button" onClick={() => void build(false)} disabled={busy || !name.trim()}>
          Build profile from cells 0–{cells - 1}
        </button>
        {error && /exists/i.test(error) ? (
          <button type="button" onClick={() => void build(true)} disabled={busy}>
            Replace it
          </button>
        ) : null}
      </div>
      <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      {built ? (
        <div data-testid="chip-profile-result">
          <p>
            Saved <strong>{built.profile}</strong>: {built.levels} levels from cells {built.kept.join(', ')};{' '}
            {built.d2dOverC2c > 1 ? 'device-to-device' : 'cycle-to-cycle'} spread dominates (RMS σ_d2d/σ_c2c{' '}
            {built.d2dOverC2c.toFixed(2)}); {built.driftLaw ? 'with' : 'no'} drift law from retention runs.{' '}
            <a href={`#/predict?profile=${encodeURIComponent(built.profile)}`}>Predict with it</a>
          </p>
          {built.excluded.length ? (
            <ul className="muted">
              {built.excluded.map((e) => (
                <li key={e.cell}>
                  cell {e.cell} left out: {e.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
