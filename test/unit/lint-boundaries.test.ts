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

  describe('layers inside src/main: store ← services ← api, cli, web, electron', () => {
    it('rejects a CLI import of the store and of an instrument driver', async () => {
      const store = await restrictedImportMessages(
        "import { Store } from '../store/store';\nexport type S = Store;\n",
        'src/main/cli/bad.ts',
      );
      expect(store).toHaveLength(1);
      expect(store[0]).toContain('src/main/cli must not import src/main/store');
      const driver = await restrictedImportMessages(
        "import { connectInstrument } from '../../instrument/registry';\nexport const c = connectInstrument;\n",
        'src/main/cli/commands/bad.ts',
      );
      expect(driver).toHaveLength(1);
      expect(driver[0]).toContain('src/main/instrument');
    });

    it.each([
      ['src/main/api/bad.ts', "import { Store } from '../store/store';"],
      ['src/main/web/bad.ts', "import { connectInstrument } from '../instrument/registry';"],
      ['src/main/electron/bad.ts', "import { Store } from '../store/store';"],
      ['src/main/services/bad.ts', "import { dispatch } from '../api/services';"],
      ['src/main/store/bad.ts', "import { QueueService } from '../services/queues';"],
    ])('rejects the upward or skipping import in %s', async (filePath, code) => {
      expect(await restrictedImportMessages(`${code}\nexport {};\n`, filePath)).toHaveLength(1);
    });

    it('lets the front doors use services, and services use the store and instruments', async () => {
      expect(
        await restrictedImportMessages(
          "import { openDatabase } from '../services/database';\nexport const o = openDatabase;\n",
          'src/main/cli/ok.ts',
        ),
      ).toEqual([]);
      expect(
        await restrictedImportMessages(
          "import { Store } from '../store/store';\nimport { connectInstrument } from '../instrument/registry';\nexport const s = [Store, connectInstrument];\n",
          'src/main/services/ok.ts',
        ),
      ).toEqual([]);
      // `shared/api` is the contract, not the api folder of main.
      expect(
        await restrictedImportMessages(
          "import { apiMethods } from '../../shared/api';\nexport const m = apiMethods;\n",
          'src/main/store/ok.ts',
        ),
      ).toEqual([]);
    });
  });
});
