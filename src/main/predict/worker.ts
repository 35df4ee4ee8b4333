/**
 * A prediction worker: one ONNX Runtime (its share of the cores) and, per job, a chip evaluator
 * that compiles each configuration once and then runs the chips it is given.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, serializeError } from '../../shared/errors';
import { LocalEvaluator } from '../../shared/rca/predict';
import { nodeRuntime, type Device } from '../nn/ort-node';
import type { FromWorker, ToWorker } from './protocol';

const port = parentPort!;
const { threads, device } = workerData as { threads: number; device: Device };
const runtime = nodeRuntime({ threads, device });
const jobs = new Map<number, { evaluator: LocalEvaluator; cancel: { aborted: boolean } }>();
const send = (message: FromWorker) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  void handle(message);
});

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case 'init': {
      try {
        jobs.set(message.jobId, {
          evaluator: new LocalEvaluator(runtime, message.input, message.options),
          cancel: { aborted: false },
        });
        send({ type: 'ready', jobId: message.jobId });
      } catch (error) {
        send({ type: 'error', requestId: null, jobId: message.jobId, error: serializeError(error) });
      }
      return;
    }
    case 'evaluate': {
      const job = jobs.get(message.jobId);
      try {
        if (!job) throw new CancelledError();
        const outcomes = await job.evaluator.evaluate(message.chips, {
          cancel: job.cancel,
          configs: message.configs,
          onProgress: (evaluations, label) =>
            send({ type: 'progress', requestId: message.requestId, evaluations, label }),
        });
        send({ type: 'result', requestId: message.requestId, outcomes });
      } catch (error) {
        send({
          type: 'error',
          requestId: message.requestId,
          jobId: message.jobId,
          error: serializeError(error),
        });
      }
      return;
    }
    case 'cancel': {
      const job = jobs.get(message.jobId);
      if (job) job.cancel.aborted = true;
      return;
    }
    case 'release': {
      const job = jobs.get(message.jobId);
      jobs.delete(message.jobId);
      await job?.evaluator.release();
      return;
    }
  }
}
