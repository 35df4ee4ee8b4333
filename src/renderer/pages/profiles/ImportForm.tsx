/** Import a profile or a simulator's export: from the file dialog in the app, a file input in a browser. */
import { useRef } from 'react';
import { getApi } from '../../api/client';
import { TextField } from '../../components/Field';
import type { AppMode } from '../../files';

export function ImportForm({
  mode,
  importName,
  setImportName,
  onFile,
  onError,
}: {
  mode: AppMode;
  importName: string;
  setImportName(name: string): void;
  onFile(fileName: string, text: string, bytes: () => Promise<Uint8Array>): Promise<void>;
  onError(error: unknown): void;
}) {
  const fileInput = useRef<HTMLInputElement>(null);
  const pickFile = async () => {
    if (mode !== 'electron') return fileInput.current?.click();
    try {
      const file = await getApi().call['files.open']({
        filters: [{ name: 'Profiles and simulator exports', extensions: ['json', 'csv', 'zip'] }],
      });
      if (file) await onFile(file.fileName, file.text, async () => file.bytes);
    } catch (e) {
      onError(e);
    }
  };
  return (
    <div className="form" style={{ marginTop: '1rem' }}>
      <TextField
        label="Import as (optional name)"
        name="importName"
        value={importName}
        onChange={setImportName}
        hint="Profile JSON, a level CSV (level,g_siemens,sigma_siemens,n), or a simulator export (CrossSim zip, aihwkit.json, neurosim-mlp.json)"
      />
      <div className="row" style={{ alignSelf: 'end' }}>
        <button type="button" onClick={() => void pickFile()}>
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
              await onFile(
                file.name,
                await file.text(),
                async () => new Uint8Array(await file.arrayBuffer()),
              );
            e.target.value = '';
          }}
        />
      </div>
    </div>
  );
}
