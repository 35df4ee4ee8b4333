#!/usr/bin/env node
// Opt-in: runs the property tests on new random seeds (the suite itself always uses one fixed
// seed). Each failure prints the seed that found it: replay with FC_SEED=N npx vitest run FILE.
import { spawnSync } from 'node:child_process';

const rounds = Number(process.argv[2] ?? 5);
let failed = 0;
for (let round = 0; round < rounds; round++) {
  const seed = Math.floor(Math.random() * 2 ** 31);
  process.stderr.write(`round ${round + 1}/${rounds}: FC_SEED=${seed}\n`);
  const result = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--project',
      'unit',
      '--project',
      'integration',
      'test/unit',
      'test/integration/framing.test.ts',
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, FC_SEED: String(seed) },
    },
  );
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`FC_SEED=${seed} found a failure\n`);
  }
}
process.exitCode = failed ? 1 : 0;
