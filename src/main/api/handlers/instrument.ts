/** The bench: models, ports, connection, the sample on the probe station, and starting a run. */
import { smuModelSummaries } from '../../services/bench';
import { listSerialPorts } from '../../services/discovery';
import type { FeatureHandlers, HandlerContext } from './context';
import { OK } from './context';

export const instrumentHandlers = ({ instrument }: HandlerContext) =>
  ({
    'instrument.ports': async () => listSerialPorts(),
    'instrument.connect': (request) => instrument.connect(request),
    'instrument.disconnect': () => instrument.disconnect(),
    'instrument.status': async () => instrument.status(),
    'instrument.models': async () => smuModelSummaries(),
    'instrument.abort': () => instrument.abort(),
    'instrument.allowHost': async ({ host }) => ({ hosts: instrument.allowHost(host) }),
    'instrument.check': () => instrument.check(),
    'instrument.sample': async (sample) => instrument.setSample(sample),
    'runs.start': async ({ params, acknowledgeCellState }) =>
      instrument.startRun(params, { acknowledgeCellState }),
    'runs.cancel': async () => {
      await instrument.cancel();
      return OK;
    },
  }) satisfies FeatureHandlers;
