/**
 * Profiles in and out of the library: a profile as JSON or CSV, a simulator's files (one file as
 * is, several in a zip), and an import of any of them (a profile JSON or level CSV; a zip of our
 * or CrossSim's files; aihwkit.json or neurosim-mlp.json as we name them).
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { INTEROP_FORMATS, type InteropFormatId } from '../../../shared/interop/formats';
import type { DeviceProfile } from '../../../shared/profile/schema';
import { fileSafeName } from '../../../shared/text';
import { getApi } from '../../api/client';
import { saveFile, type AppMode } from '../../files';

/** What was saved, as the notice says it (undefined: the user cancelled the save). */
export async function exportProfile(
  mode: AppMode,
  name: string,
  format: 'json' | 'csv',
): Promise<string | undefined> {
  const file = await getApi().call['profiles.export']({ name, format });
  const where = await saveFile(mode, file.fileName, file.text, file.mime, [format]);
  return where ? `Exported '${name}' as ${where}.` : undefined;
}

export async function exportForSimulator(
  mode: AppMode,
  name: string,
  format: InteropFormatId,
): Promise<string | undefined> {
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
  return where ? `Exported '${name}' for ${INTEROP_FORMATS[format].label} as ${where}.` : undefined;
}

export async function importProfileFile(
  fileName: string,
  text: string,
  bytes: () => Promise<Uint8Array>,
  importName: string,
): Promise<DeviceProfile> {
  const name = importName.trim() ? { name: importName.trim() } : {};
  const simulatorFile = /(^|[-_])(aihwkit|neurosim-mlp)\.json$/i.exec(fileName);
  if (/\.zip$/i.test(fileName))
    return getApi().call['profiles.importFiles']({
      fileName,
      files: Object.entries(unzipSync(await bytes()))
        .filter(([entry]) => !entry.endsWith('/'))
        .map(([entry, data]) => ({ name: entry, text: strFromU8(data) })),
      ...name,
    });
  if (simulatorFile)
    return getApi().call['profiles.importFiles']({
      fileName,
      files: [{ name: `${simulatorFile[2]!.toLowerCase()}.json`, text }],
      ...name,
    });
  return getApi().call['profiles.import']({ fileName, text, ...name });
}
