/**
 * The app's queue left unattended on the virtual SMU, through the same services the pages call:
 * "stop after this step" lets the running step finish; a cancelled step stops the queue and runs
 * again on resume; the cell guard never lets a step pulse an unformed cell or re-form a formed one
 * without an acknowledgement. The simulator's own cell states are the truth the runs are checked
 * against.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src/main/services/events';
import { createServices, type Services } from '../../src/main/api/services';
import type { ApiEventName, QueueView } from '../../src/shared/api';
import { ReramError } from '../../src/shared/errors';
import { ProcedureParams } from '../../src/shared/procedures';
import { rawQuery } from '../helpers/sim';
import { nextEvent } from '../helpers/events';
import { tempDbPath } from '../helpers/temp';

const FORMING = { procedure: 'forming', maxVoltage: 5, compliance: 1e-4 } as const;
const TRAIN = { procedure: 'pulse-train', maxVoltage: 3, compliance: 1e-3, pulses: 8, cycles: 1 } as const;

function recipe(name: string, cells: string, extra: object = {}) {
  return {
    schemaVersion: 1 as const,
    name,
    cells,
    onFailure: 'retry-then-skip' as const,
    retries: 1,
    cellGuard: 'skip' as const,
    steps: [{ params: FORMING }, { params: TRAIN }],
    ...extra,
  };
}

describe('queue and cell guards on the virtual SMU (app services)', () => {
  let services: Services;
  const events = new EventHub();
  let port: number;

  const next = <E extends ApiEventName>(name: E, accept: (payload: unknown) => boolean, timeoutMs = 60_000) =>
    nextEvent(events, name, accept, timeoutMs);
  /** The queue's state once it has ended (it may have ended already). */
  const queueEnded = async (id: number): Promise<QueueView> => {
    const ended = next(
      'queue.update',
      (q) => (q as QueueView).id === id && (q as QueueView).status !== 'running',
      180_000,
    );
    const now = (await services.handlers['queue.list']({ limit: 20 })).find((q) => q.id === id);
    if (now && now.status !== 'running') {
      void ended.catch(() => undefined);
      return now;
    }
    return (await ended) as QueueView;
  };
  /** The simulator's own state of each cell (PRISTINE, FORMED…), asked on a second connection. */
  const simStates = async (cells: number[]) => {
    const states: string[] = [];
    for (const cell of cells)
      states.push((await rawQuery(port, [`:SIM:CELL ${cell}`, ':SIM:CELL:STAT?']))[0]!);
    return states;
  };
  const runsOf = (procedure: string) =>
    services.store.runs
      .listRuns(1000)
      .filter((r) => r.procedure === procedure)
      .sort((a, b) => a.id - b.id);

  /** A new virtual die (the same seed each time), its TCP port kept for the truth queries. */
  const connectDie = async () => {
    const status = await services.instrument.connect({
      kind: 'virtual',
      model: '2400',
      preset: 'AlOx/HfO2',
      cells: 8,
      seed: 11,
      timeScale: 0.02,
    });
    port = Number(status.simulator!.tcpResource!.split('::')[2]);
    return status;
  };

  beforeAll(async () => {
    services = createServices({ mode: 'browser', events, dbPath: tempDbPath() });
    const status = await connectDie();
    // The virtual 2400 is rehearsed on its RS-232 path (a pty), as a real 2400 has no LAN.
    expect(status.resource).toMatch(/^ASRL.+::INSTR$/);
    expect(status.sample?.wafer).toBe('virtual');
    expect(status.sample?.die).toMatch(/^AlOx\/HfO2 seed 11 /);
  });
  afterAll(async () => services?.dispose());

  it("the bring-up check on the virtual 2400 reports the serial path's CR terminators", async () => {
    const { items } = await services.handlers['instrument.check']({});
    const terminators = items.find((i) => i.name === 'terminators')!;
    expect(terminators.detail).toMatch(/commands end in CR/);
    expect(terminators.detail).not.toMatch(/LF/);
  });

  it('stop after this step lets the running forming finish; the queue stops before the next step', async () => {
    const formingOn1 = next('queue.update', (q) =>
      (q as QueueView).steps.some((s) => s.cell === 1 && s.step === 0 && s.status === 'running'),
    );
    const { id } = await services.handlers['queue.start']({ recipe: recipe('stop after step', '0-1') });
    // Cell 1's forming is under way (a few ramp steps done): ask to stop after it.
    expect(((await formingOn1) as QueueView).id).toBe(id);
    await next('run.progress', (p) => (p as { runId: number; done: number }).done >= 3);
    await services.handlers['queue.stop']({ id, now: false });
    const ended = await queueEnded(id);
    expect(ended.status).toBe('stopped');
    const [f0, t0, f1, t1] = ended.steps;
    expect([f0!.status, t0!.status, f1!.status, t1!.status]).toEqual([
      'completed',
      'completed',
      'completed',
      'pending',
    ]);
    // The forming ran to its end: it is a completed run that found the forming event.
    const run = services.store.runs.getRun(f1!.runId!);
    expect(run.status).toBe('completed');
    expect(run.summary?.formed).toBe(true);
    expect(await simStates([0, 1])).toEqual(['FORMED', 'FORMED']);
  }, 240_000);

  it('a cancelled step stops the queue; resume runs it again, in order, and the guard keeps every cell safe', async () => {
    const formingOn2 = next('queue.update', (q) =>
      (q as QueueView).steps.some((s) => s.cell === 2 && s.step === 0 && s.status === 'running'),
    );
    const { id } = await services.handlers['queue.start']({ recipe: recipe('cancel and resume', '2-3') });
    // Output OFF (the header's Abort) during cell 2's forming.
    await formingOn2;
    await next('run.progress', (p) => (p as { done: number }).done >= 2);
    await services.handlers['instrument.abort']({});
    const stopped = await queueEnded(id);
    expect(stopped.status).toBe('stopped');
    expect(stopped.steps.map((s) => s.status)).toEqual(['cancelled', 'pending', 'pending', 'pending']);
    // Nothing ran after the cancelled forming: no pulse train on cell 2.
    expect(runsOf('pulse-train').filter((r) => r.cell === 2)).toHaveLength(0);

    // Resume re-runs the cancelled forming first (it never saw the forming event), then the rest.
    await services.handlers['queue.start']({ resume: id });
    const done = await queueEnded(id);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const formings2 = runsOf('forming').filter((r) => r.cell === 2);
    expect(formings2.map((r) => r.status)).toEqual(['cancelled', 'completed']);
    // A second resume has nothing left to do, and says so.
    await expect(services.handlers['queue.start']({ resume: id })).rejects.toThrow(/no step left/);
    expect(await simStates([2, 3])).toEqual(['FORMED', 'FORMED']);
  }, 240_000);

  it('a recipe over formed and pristine cells: forming is skipped on formed cells, programming on unformed ones', async () => {
    const before = runsOf('forming').length;
    // Cells 0–3 are formed; 4–5 are pristine and this recipe does not form them.
    const { id } = await services.handlers['queue.start']({
      recipe: {
        ...recipe('guards', '2,4'),
        steps: [{ params: FORMING }, { params: TRAIN }],
      },
    });
    const trainOnly = await queueEnded(id);
    const [f2, t2, f4, t4] = trainOnly.steps;
    expect(f2!.status).toBe('skipped');
    expect(f2!.error).toMatch(/cell 2 is already formed \(at [\d.]+ V, run \d+\): forming it again/);
    expect(t2!.status).toBe('completed');
    // Cell 4 is pristine: its forming runs, then its training.
    expect(f4!.status).toBe('completed');
    expect(t4!.status).toBe('completed');
    expect(runsOf('forming').length).toBe(before + 1);

    const { id: id2 } = await services.handlers['queue.start']({
      recipe: { ...recipe('train only', '5'), steps: [{ params: TRAIN }] },
    });
    const unformed = await queueEnded(id2);
    expect(unformed.steps[0]!.status).toBe('skipped');
    expect(unformed.steps[0]!.error).toMatch(/cell 5 has not been formed/);
    expect(runsOf('pulse-train').filter((r) => r.cell === 5)).toHaveLength(0);
    expect(await simStates([4, 5])).toEqual(['FORMED', 'PRISTINE']);
  }, 240_000);

  it("'ask': the queue waits with the question; Run anyway re-forms only with that acknowledgement", async () => {
    const question = next('queue.update', (q) => (q as QueueView).question !== null);
    const { id } = await services.handlers['queue.start']({
      recipe: { ...recipe('ask', '0'), cellGuard: 'ask', steps: [{ params: FORMING }] },
    });
    const asking = (await question) as QueueView;
    expect(asking.id).toBe(id);
    expect(asking.question).toMatchObject({ cell: 0, procedure: 'forming' });
    expect(asking.question!.reason).toMatch(/already formed/);
    // Nothing ran while it asked.
    expect(services.instrument.status().activeRun).toBeNull();
    await services.handlers['queue.answer']({ id, position: 0, run: true });
    const ended = await queueEnded(id);
    expect(ended.steps[0]!.status).toBe('completed');
  }, 240_000);

  it('Characterize asks before forming a formed cell or training an unformed one; the acknowledgement runs it', async () => {
    const train = ProcedureParams.parse({ ...TRAIN, cell: 6 });
    const refusal = await services.handlers['runs.start']({
      params: train,
      acknowledgeCellState: false,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(ReramError);
    expect((refusal as ReramError).code).toBe('NEEDS_CONFIRMATION');
    expect((refusal as ReramError).message).toMatch(/Cell 6 has not been formed.*Nothing was sent/);
    expect(runsOf('pulse-train').filter((r) => r.cell === 6)).toHaveLength(0);

    const reform = ProcedureParams.parse({ ...FORMING, cell: 1 });
    await expect(
      services.handlers['runs.start']({ params: reform, acknowledgeCellState: false }),
    ).rejects.toThrow(/Cell 1 is already formed/);

    // Acknowledged: it runs.
    const { runId } = await services.handlers['runs.start']({ params: train, acknowledgeCellState: true });
    await next('run.ended', (p) => (p as { runId: number }).runId === runId, 120_000);
    expect(services.store.runs.getRun(runId).status).toBe('completed');
  }, 240_000);
  it("a new virtual die is a new sample: the die map and the guard never show the last die's cells", async () => {
    const before = services.instrument.status().sample!;
    const formedBefore = (await services.handlers['cells.summary']({ cells: 8 })).filter((c) => c.formed);
    expect(formedBefore.length).toBeGreaterThan(0);
    // A new die, same seed: the simulator's cells are pristine again.
    const status = await connectDie();
    expect(status.sample!.die).not.toBe(before.die);
    const after = await services.handlers['cells.summary']({ cells: 8 });
    expect(after.filter((c) => c.formed || c.runs > 0)).toEqual([]);
    expect(await simStates([0, 1])).toEqual(['PRISTINE', 'PRISTINE']);
    await expect(
      services.handlers['runs.start']({
        params: ProcedureParams.parse({ ...TRAIN, cell: 0 }),
        acknowledgeCellState: false,
      }),
    ).rejects.toThrow(/Cell 0 has not been formed/);
  }, 60_000);
});
