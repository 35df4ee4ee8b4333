// npm run bench -- [scpi|store|predict|sweep|ui|runs|all]
import { benchPredict } from './predict';
import { benchScpi } from './scpi';
import { benchStore } from './store';
import { benchSweep } from './sweep';
import { benchRuns } from './runs';
import { benchUi } from './ui';

const suites: Record<string, () => Promise<void>> = {
  scpi: benchScpi,
  store: benchStore,
  predict: benchPredict,
  sweep: benchSweep,
  ui: benchUi,
  runs: benchRuns,
};

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = requested.length === 0 || requested.includes('all') ? Object.keys(suites) : requested;
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown benchmark '${name}'; choose from ${Object.keys(suites).join(', ')}, all`);
    process.exit(2);
  }
  await suite();
}
