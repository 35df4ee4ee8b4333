// Runs a TypeScript worker from the sources (CLI and tests run through tsx; the packaged app
// starts its bundled worker directly).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
