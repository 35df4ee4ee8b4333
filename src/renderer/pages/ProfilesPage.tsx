/**
 * Profiles: the device-profile library. Search it, overlay level tables, export a profile (JSON,
 * CSV, or the files a simulator reads), import one, and start a prediction from it.
 */
import { useEffect, useState } from 'react';
import type { DeviceProfile, ProfileSummary } from '../../shared/profile/schema';
import { getApi } from '../api/client';
import { ErrorBanner, TextField } from '../components/Field';
import { errorText, useApiQuery } from '../hooks/api';
import type { AppMode } from '../files';
import { ImportForm } from './profiles/ImportForm';
import { LevelOverlay } from './profiles/LevelOverlay';
import { ProfileTable } from './profiles/ProfileTable';
import { exportForSimulator, exportProfile, importProfileFile } from './profiles/transfer';

export function ProfilesPage({ mode }: { mode: AppMode }) {
  const library = useApiQuery('profiles.list', {});
  const profiles: ProfileSummary[] = library.data ?? [];
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<string[]>(['AlOx/HfO2', 'Ag:a-Si']);
  const [loaded, setLoaded] = useState<Record<string, DeviceProfile>>({});
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [importName, setImportName] = useState('');

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

  /** Runs a library action; its notice (if any) replaces the last, its failure shows as the error. */
  const act = async (what: () => Promise<string | undefined>, failure = (e: unknown) => errorText(e)) => {
    setError(undefined);
    try {
      const done = await what();
      if (done) setNotice(done);
    } catch (e) {
      setError(failure(e));
    }
  };
  const importFile = (fileName: string, text: string, bytes: () => Promise<Uint8Array>) => {
    setNotice(undefined);
    return act(
      async () => {
        const profile = await importProfileFile(fileName, text, bytes, importName);
        setImportName('');
        library.reload();
        return `Imported '${profile.name}'.`;
      },
      (e) => `Could not import ${fileName}: ${errorText(e)}`,
    );
  };
  const remove = (name: string) => {
    if (!confirm(`Delete the profile '${name}'? Its runs stay in the database.`)) return;
    void act(async () => {
      await getApi().call['profiles.delete']({ name });
      setSelected((s) => s.filter((n) => n !== name));
      library.reload();
      return undefined;
    });
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
        <ProfileTable
          profiles={visible}
          selected={selected}
          onToggle={(name, on) => setSelected((s) => (on ? [...s, name] : s.filter((n) => n !== name)))}
          onExport={(name, format) => void act(() => exportProfile(mode, name, format))}
          onExportFor={(name, format) => void act(() => exportForSimulator(mode, name, format))}
          onRemove={remove}
        />
        <ImportForm
          mode={mode}
          importName={importName}
          setImportName={setImportName}
          onFile={importFile}
          onError={(e) => setError(errorText(e))}
        />
        {notice ? (
          <p role="status" data-testid="profiles-notice">
            {notice}
          </p>
        ) : null}
        <ErrorBanner error={error ?? library.error} onDismiss={() => setError(undefined)} />
      </section>
      <LevelOverlay overlay={overlay} />
    </div>
  );
}
