/** Waiting for what the app's services announce (the events the pages listen to). */
import type { EventHub } from '../../src/main/services/events';
import type { ApiEventName, QueueView } from '../../src/shared/api';

/** The next `name` event whose payload `accept` takes; rejects after `timeoutMs`. */
export function nextEvent<E extends ApiEventName>(
  events: EventHub,
  name: E,
  accept: (payload: unknown) => boolean,
  timeoutMs = 60_000,
): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${name} event in ${timeoutMs} ms`));
    }, timeoutMs);
    const off = events.subscribe((event, payload) => {
      if (event !== name || !accept(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** The first queue update that is not 'running' (subscribe before starting the queue). */
export function queueEnd(events: EventHub, timeoutMs = 240_000): Promise<QueueView> {
  return nextEvent(
    events,
    'queue.update',
    (q) => (q as QueueView).status !== 'running',
    timeoutMs,
  ) as Promise<QueueView>;
}
