/**
 * JSON with binary: typed arrays are carried as base64 so the WebSocket bridge can move model
 * bytes and datasets. (Electron IPC uses structured clone and needs none of this.)
 */
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_INDEX = new Map([...BASE64].map((ch, i) => [ch, i]));

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += BASE64[(triple >> 18) & 63]! + BASE64[(triple >> 12) & 63]!;
    out += i + 1 < bytes.length ? BASE64[(triple >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? BASE64[triple & 63]! : '=';
  }
  return out;
}

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (const ch of clean) {
    const value = BASE64_INDEX.get(ch);
    if (value === undefined) throw new Error(`Invalid base64 character '${ch}'`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

const BYTES_TAG = '$bytes';
const FLOAT32_TAG = '$f32';

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return { [BYTES_TAG]: bytesToBase64(v) };
    if (v instanceof Float32Array)
      return { [FLOAT32_TAG]: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    return v;
  });
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      if (typeof record[BYTES_TAG] === 'string' && Object.keys(record).length === 1)
        return base64ToBytes(record[BYTES_TAG]);
      if (typeof record[FLOAT32_TAG] === 'string' && Object.keys(record).length === 1) {
        const bytes = base64ToBytes(record[FLOAT32_TAG]);
        return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      }
    }
    return v;
  });
}
