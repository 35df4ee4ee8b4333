import { fileSafeName } from '../../shared/text';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import type { DeviceProfile, ProfileSummary } from '../../shared/profile/schema';
import { formatSI } from '../../shared/units';
import { getApi } from '../api/client';
import { ErrorBanner, SelectField, TextField } from '../components/Field';
import { siValues, CYCLE_COLORS, Plot, themedAxes } from '../components/Plot';
import { errorText } from '../hooks/api';
import { saveFile, type AppMode } from '../files';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { INTEROP_FORMAT_IDS, INTEROP_FORMATS, type InteropFormatId } from '../../shared/interop/formats';

type Scale = 'normalized' | 'absolute';

export function ProfilesPage({ mode }: { mode: AppMode }) {
  const [profiles, setProfiles] = useState<ProfileSummary[]>([]);
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string[]>(['AlOx/HfO2', 'Ag:a-Si']);
  const [loaded, setLoaded] = useState<Record<string, DeviceProfile>>({});
  const [scale, setScale] = useState<Scale>('normalized');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [importName, setImportName] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  const refresh = useCallback(async () => {
    try {
      setProfiles(await getApi().call['profiles.list']({}));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    for (const name of selected) {
      if (loaded[name]) continue;
      getApi()
        .call['profiles.get']({ name })
        .then(
          (p) => setLoaded((l) => ({ ...l, [name]: p })),
          (e: Error) => setError(e.message),
        );
    }
  }, [selected, loaded]);

  const visible = profiles.filter((p) =>
    `${p.name} ${p.materialStack} ${p.source}`.toLowerCase().includes(query.toLowerCase()),
  );
  const overlay = selected.map((n) => loaded[n]).filter((p): p is DeviceProfile => Boolean(p));

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

  const exportProfile = async (name: string, format: 'json' | 'csv') => {
    setError(undefined);
    try {
      const file = await getApi().call['profiles.export']({ name, format });
      const where = await saveFile(mode, file.fileName, file.text, file.mime, [format]);
      if (where) setNotice(`Exported '${name}' as ${where}.`);
    } catch (e) {
      setError(errorText(e));
    }
  };

  /** A simulator's files: one file as is, several in a zip. */
  const exportFor = async (name: string, format: InteropFormatId) => {
    setError(undefined);
    try {
      const { files } = await getApi().call['profiles.exportFor']({ name, format, bits: 4 });
      const base = `${fileSafeName(name)}-${format}`;
      const where =
        files.length === 1
          ? await saveFile(mode, `${base}-${files[0]!.name}`, files[0]!.text, 'text/plain', [
              files[0]!.name.split('.').pop()!,
            ])
          : await saveFile(
              mode,
              `${base}.zip`,
              zipSync(Object.fromEntries(files.map((f) => [f.name, strToU8(f.text)]))),
              'application/zip',
              ['zip'],
            );
      if (where) setNotice(`Exported '${name}' for ${INTEROP_FORMATS[format].label} as ${where}.`);
    } catch (e) {
      setError(errorText(e));
    }
  };

  /**
   * A profile JSON or level CSV; or a simulator's export read back: a zip of our (or CrossSim's)
   * files, or aihwkit.json / neurosim-mlp.json as we name them.
   */
  const importFile = async (fileName: string, text: string, bytes: () => Promise<Uint8Array>) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const name = importName.trim() ? { name: importName.trim() } : {};
      const simulatorFile = /(^|[-_])(aihwkit|neurosim-mlp)\.json$/i.exec(fileName);
      const profile = /\.zip$/i.test(fileName)
        ? await getApi().call['profiles.importFiles']({
            fileName,
            files: Object.entries(unzipSync(await bytes()))
              .filter(([entry]) => !entry.endsWith('/'))
              .map(([entry, data]) => ({ name: entry, text: strFromU8(data) })),
            ...name,
          })
        : simulatorFile
          ? await getApi().call['profiles.importFiles']({
              fileName,
              files: [{ name: `${simulatorFile[2]!.toLowerCase()}.json`, text }],
              ...name,
            })
          : await getApi().call['profiles.import']({ fileName, text, ...name });
      setNotice(`Imported '${profile.name}'.`);
      setImportName('');
      await refresh();
    } catch (e) {
      setError(`Could not import ${fileName}: ${errorText(e)}`);
    }
  };

  const pickFile = async () => {
    if (mode === 'electron') {
      try {
        const file = await getApi().call['files.open']({
          filters: [{ name: 'Profiles and simulator exports', extensions: ['json', 'csv', 'zip'] }],
        });
        if (file) await importFile(file.fileName, file.text, async () => file.bytes);
      } catch (e) {
        setError(errorText(e));
      }
    } else {
      fileInput.current?.click();
    }
  };

  const remove = async (name: string) => {
    if (!confirm(`Delete the profile '${name}'? Its runs stay in the database.`)) return;
    try {
      await getApi().call['profiles.delete']({ name });
      setSelected((s) => s.filter((n) => n !== name));
      await refresh();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <div className="grid2 wide-left">
      <section className="card" aria-labelledby="library-title">
        <h2 id="library-title">Profile library</h2>
        <div className="form">
          <TextField
            label="Search"
            name="search"
            value={query}
            onChange={setQuery}
            placeholder="name, material, source"
            wide
          />
        </div>
        <table className="data" data-testid="profiles">
          <thead>
            <tr>
              <th>show</th>
              <th className="text">name</th>
              <th>levels</th>
              <th>G range</th>
              <th>actions</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((p) => (
              <tr key={p.name} data-profile={p.name}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Overlay ${p.name}`}
                    checked={selected.includes(p.name)}
                    onChange={(e) =>
                      setSelected((s) => (e.target.checked ? [...s, p.name] : s.filter((n) => n !== p.name)))
                    }
                  />
                </td>
                <td className="text">
                  {p.name}
                  <div className="muted">
                    {p.readOnly ? 'built-in' : p.source} {p.materialStack ? `· ${p.materialStack}` : ''}
                  </div>
                </td>
                <td>{p.tables[0]?.levels}</td>
                <td>
                  {formatSI(p.tables[0]?.gMin, 'S')} – {formatSI(p.tables[0]?.gMax, 'S')}
                </td>
                <td>
                  <div className="actions">
                    <button
                      type="button"
                      onClick={() => exportProfile(p.name, 'json')}
                      aria-label={`Export ${p.name} as JSON`}
                    >
                      JSON
                    </button>
                    <button
                      type="button"
                      onClick={() => exportProfile(p.name, 'csv')}
                      aria-label={`Export ${p.name} as CSV`}
                    >
                      CSV
                    </button>
                    <select
                      aria-label={`Export ${p.name} for a simulator`}
                      value=""
                      onChange={(e) => {
                        if (e.target.value) void exportFor(p.name, e.target.value as InteropFormatId);
                      }}
                    >
                      <option value="">Export for…</option>
                      {INTEROP_FORMAT_IDS.map((id) => (
                        <option key={id} value={id} title={INTEROP_FORMATS[id].description}>
                          {INTEROP_FORMATS[id].label}
                        </option>
                      ))}
                    </select>
                    <a href={`#/predict?profile=${encodeURIComponent(p.name)}`}>Predict</a>
                    {p.readOnly ? null : (
                      <button type="button" onClick={() => remove(p.name)} aria-label={`Delete ${p.name}`}>
                        Delete
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="form" style={{ marginTop: '1rem' }}>
          <TextField
            label="Import as (optional name)"
            name="importName"
            value={importName}
            onChange={setImportName}
            hint="Profile JSON, a level CSV (level,g_siemens,sigma_siemens,n), or a simulator export (CrossSim zip, aihwkit.json, neurosim-mlp.json)"
          />
          <div className="row" style={{ alignSelf: 'end' }}>
            <button type="button" onClick={pickFile}>
              Import profile…
            </button>
            <input
              ref={fileInput}
              type="file"
              accept=".json,.csv,.zip,application/json,text/csv,application/zip"
              className="sr-only"
              data-testid="import-file"
              aria-label="Profile file to import"
              onChange={async (e) => {
                const file = e.target.files?.[0];
                if (file)
                  await importFile(
                    file.name,
                    await file.text(),
                    async () => new Uint8Array(await file.arrayBuffer()),
                  );
                e.target.value = '';
              }}
            />
          </div>
        </div>
        {notice ? (
          <p role="status" data-testid="profiles-notice">
            {notice}
          </p>
        ) : null}
        <ErrorBanner error={error} onDismiss={() => setError(undefined)} />
      </section>
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
          A straight diagonal is a perfectly linear device; the further a curve bows above it, the more a
          linear weight grid is distorted on that device — which MES corrects.
        </p>
      </section>
    </div>
  );
}
