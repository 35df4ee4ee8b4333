import { getApi } from './api/client';

export type AppMode = 'electron' | 'browser';

/** Saves through the native dialog in Electron, as a download in browser mode. Returns where it went. */
export async function saveFile(
  mode: AppMode,
  name: string,
  data: string | Uint8Array,
  mime: string,
  extensions: string[],
): Promise<string | null> {
  if (mode === 'electron') {
    const result = await getApi().call['files.save']({
      defaultName: name,
      data,
      filters: [{ name: extensions.join('/').toUpperCase(), extensions }],
    });
    return result.path;
  }
  const blob = new Blob([data as BlobPart], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export function dataUrlToBytes(url: string): Uint8Array {
  const base64 = url.slice(url.indexOf(',') + 1);
  const binary = atob(base64);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
