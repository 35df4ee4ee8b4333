// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

// Bare names ("fs"); the node:* form is caught by a pattern below.
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('node:'));

// Architectural layers (DESIGN.md §2). `shared` is "common": it may import nothing that ties it
// to a runtime, so the same code runs in the renderer, in workers, in the CLI and in tests.
const sharedForbidden = {
  paths: nodeBuiltins.map((name) => ({
    name,
    message: 'src/shared is pure TypeScript: Node built-ins belong in src/main.',
  })),
  patterns: [
    { group: ['node:*'], message: 'src/shared is pure TypeScript: Node built-ins belong in src/main.' },
    { group: ['electron', 'electron/*'], message: 'src/shared must not import Electron.' },
    {
      group: ['**/main/**', '**/main', '../main/*'],
      message: 'src/shared must not import src/main (the dependency points the other way).',
    },
    { group: ['**/renderer/**', '**/renderer'], message: 'src/shared must not import src/renderer.' },
    {
      group: ['better-sqlite3', 'serialport', '@serialport/*', 'onnxruntime-node', 'onnxruntime-web', 'ws'],
      message: 'src/shared must stay runtime-neutral: inject I/O and ONNX Runtime from the caller.',
    },
    { group: ['react', 'react-dom', 'react-dom/*', 'uplot'], message: 'src/shared must not import UI code.' },
  ],
};

const rendererForbidden = {
  paths: nodeBuiltins.map((name) => ({
    name,
    message: 'The renderer has no Node: call main through src/shared/api.ts.',
  })),
  patterns: [
    { group: ['node:*'], message: 'The renderer has no Node: call main through src/shared/api.ts.' },
    {
      group: ['electron', 'electron/*'],
      message: 'The renderer reaches Electron only through the preload API.',
    },
    {
      group: ['**/main/**', '**/main'],
      message: 'src/renderer must not import src/main: use src/shared/api.ts.',
    },
    {
      group: ['better-sqlite3', 'serialport', 'onnxruntime-node'],
      message: 'Native modules load only in main.',
    },
  ],
};

const mainForbidden = {
  patterns: [{ group: ['**/renderer/**', '**/renderer'], message: 'src/main must not import src/renderer.' }],
};

/**
 * Layers inside src/main: store ← services ← front doors (api, cli, web, electron). The front
 * doors reach the store and the instruments only through services; the store knows nothing above
 * it, and services know no front door. The virtual SMU is a program of its own beside them.
 */
// A folder's contents (`../store/csv`), not a file of the same name elsewhere (`shared/api`).
const layer = (name) => [`**/${name}/**`];
const mainLayers = {
  store: ['services', 'api', 'cli', 'web', 'electron', 'predict'],
  services: ['api', 'cli', 'web', 'electron'],
  // The front doors reach the store and the instruments only through services; `serve` and the
  // Electron shell compose the API and the web server, so the doors may import each other.
  api: ['store', 'instrument'],
  cli: ['store', 'instrument'],
  web: ['store', 'instrument'],
  electron: ['store', 'instrument'],
};
const layerRules = Object.entries(mainLayers).map(([folder, forbidden]) => ({
  files: [`src/main/${folder}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...mainForbidden.patterns,
          ...forbidden.map((name) => ({
            group: layer(name),
            message: `src/main/${folder} must not import src/main/${name}: store ← services ← api, cli, web, electron (docs/architecture.md, "Layers in main").`,
          })),
        ],
      },
    ],
  },
}));

const browserGlobals = Object.keys(globals.browser).filter((name) => !(name in globals.es2021));

export { mainLayers };

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'release/**',
      'resources/**',
      'test-artifacts/**',
      '.cache/**',
      'test/upstream/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.es2021 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', sharedForbidden],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', '__dirname', 'require', ...browserGlobals].map((name) => ({
          name,
          message: `src/shared is runtime-neutral: '${name}' is not available everywhere.`,
        })),
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'no-restricted-imports': ['error', rendererForbidden],
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['src/main/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': ['error', mainForbidden] },
  },
  ...layerRules,
  {
    files: ['test/**/*.{ts,tsx}', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs,js}', 'bin/*', '*.config.{ts,js}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  // A function longer than a screen or two wants its parts named (issue 22); tests may run long.
  {
    files: ['src/**/*.{ts,tsx}', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs,js}'],
    rules: { 'max-lines-per-function': ['error', { max: 120, skipBlankLines: false, skipComments: false }] },
  },
  // A page composes its parts (src/renderer/pages/<page>/); the page file itself stays short.
  {
    files: ['src/renderer/pages/*.tsx'],
    rules: { 'max-lines': ['error', { max: 250, skipBlankLines: false, skipComments: false }] },
  },
);
