import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Lints snippets as if they lived at a given path, with the project's real eslint.config.js.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('architectural boundaries (eslint.config.js)', () => {
  it('rejects node:fs inside src/shared', async () => {
    const messages = await restrictedImportMessages(
      "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
      'src/shared/levels/bad.ts',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('src/shared is pure TypeScript');
  });

  it.each([
    ["import fs from 'fs';", 'Node built-ins'],
    ["import { app } from 'electron';", 'Electron'],
    ["import { appRoot } from '../../main/paths';", 'src/main'],
    ["import { App } from '../renderer/App';", 'src/renderer'],
    ["import Database from 'better-sqlite3';", 'runtime-neutral'],
    ["import * as ort from 'onnxruntime-node';", 'runtime-neutral'],
  ])('rejects %s inside src/shared', async (code, expected) => {
    const messages = await restrictedImportMessages(`${code}\nexport {};\n`, 'src/shared/quant/bad.ts');
    expect(messages.join(' ')).toContain(expected);
  });

  it('rejects src/main and Node built-ins from the renderer', async () => {
    expect(
      await restrictedImportMessages(
        "import { appRoot } from '../main/paths';\nexport {};\n",
        'src/renderer/Bad.tsx',
      ),
    ).toHaveLength(1);
    expect(
      await restrictedImportMessages("import path from 'node:path';\nexport {};\n", 'src/renderer/bad.ts'),
    ).toHaveLength(1);
  });

  it('allows what each layer may use', async () => {
    expect(
      await restrictedImportMessages(
        "import { z } from 'zod';\nexport const s = z.string();\n",
        'src/shared/ok.ts',
      ),
    ).toEqual([]);
    expect(
      await restrictedImportMessages(
        "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
        'src/main/ok.ts',
      ),
    ).toEqual([]);
    expect(
      await restrictedImportMessages(
        "import { apiMethods } from '../shared/api';\nexport const m = apiMethods;\n",
        'src/renderer/ok.ts',
      ),
    ).toEqual([]);
  });
});
