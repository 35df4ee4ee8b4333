/**
 * A prediction worker: one ONNX Runtime (its share of the cores) and, per job, a chip evaluator
 * that compiles each configuration once and then runs the chips it is given.
 *
 * Sessions are released, and the worker stops, only between ONNX Runtime runs: a session freed
 * under a run, or a thread terminated inside one, aborts the whole process (onnxruntime-node
 * throws a C++ exception that nothing can catch). So 'release' and 'close' first cancel, then wait
 * for every evaluation in flight.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CancelledError, serializeError } from '../../shared/errors';
import { LocalEvaluator } from '../../shared/rca/predict';
import { nodeRuntime, type Device } from '../nn/ort-node';
import { workersShutDown, type FromWorker, type ToWorker } from './protocol';

interface Job {
  evaluator: LocalEvaluator;
  cancel: { aborted: boolean };
  running: Set<Promise<void>>;
}

const port = parentPort!;
const { threads, device } = workerData as { threads: number; device: Device };
const runtime = nodeRuntime({ threads, device });
const jobs = new Map<number, Job>();
/** Releases under way; 'close' waits for them too. */
const releasing = new Set<Promise<void>>();
let closing = false;
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
          running: new Set(),
        });
        send({ type: 'ready', jobId: message.jobId });
      } catch (error) {
        send({ type: 'error', requestId: null, jobId: message.jobId, error: serializeError(error) });
      }
      return;
    }
    case 'evaluate': {
      const job = jobs.get(message.jobId);
      const work = evaluate(job, message);
      job?.running.add(work);
      await work;
      job?.running.delete(work);
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
      if (!job) return;
      const done = release(job);
      releasing.add(done);
      await done;
      releasing.delete(done);
      return;
    }
    case 'close': {
      closing = true;
      const released = [...jobs.values()].map(release);
      jobs.clear();
      await Promise.allSettled([...released, ...releasing]);
      send({ type: 'closed' });
      return;
    }
  }
}

async function evaluate(
  job: Job | undefined,
  message: Extract<ToWorker, { type: 'evaluate' }>,
): Promise<void> {
  try {
    if (!job || job.cancel.aborted) throw new CancelledError();
    const progress = throttledProgress(message.requestId);
    const outcomes = await job.evaluator.evaluate(message.chips, {
      cancel: job.cancel,
      configs: message.configs,
      onProgress: progress,
    });
    send({ type: 'result', requestId: message.requestId, outcomes });
  } catch (error) {
    const reason = closing && error instanceof CancelledError ? workersShutDown() : error;
    send({
      type: 'error',
      requestId: message.requestId,
      jobId: message.jobId,
      error: serializeError(reason),
    });
  }
}

/** Progress messages are sent at most this often, unless what runs changes. */
const PROGRESS_INTERVAL_MS = 50;

/**
 * Progress for one evaluation, thinned out: the evaluator reports after every ONNX Runtime run
 * (about 60 per group of chips on LeNet-5), and a message per run cost a sweep's workers about
 * 1 % of their time. A new label (the next group, configuration, or 'done') always goes out.
 */
function throttledProgress(requestId: number): (evaluations: number, label: string) => void {
  let sentAt = -Infinity;
  let sentLabel: string | undefined;
  return (evaluations, label) => {
    const now = performance.now();
    if (label === sentLabel && now - sentAt < PROGRESS_INTERVAL_MS) return;
    sentAt = now;
    sentLabel = label;
    send({ type: 'progress', requestId, evaluations, label });
  };
}

/** Cancels a job, waits for its evaluations to stop between runs, then frees its sessions. */
async function release(job: Job): Promise<void> {
  job.cancel.aborted = true;
  await Promise.allSettled([...job.running]);
  // A session that fails to free itself is lost memory in a worker about to be reused or stopped;
  // it must not become an unhandled rejection that stops the worker.
  await job.evaluator.release().catch(() => undefined);
}
