// Entry of the bundled CLI (dist/electron/cli.cjs) that the packaged app runs for the virtual SMU.
import { runCli } from '../src/main/cli/main';

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
