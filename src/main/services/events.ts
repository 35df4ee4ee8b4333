import type { ApiEventName, ApiEventPayload } from '../../shared/api';

type RawListener = (event: string, payload: unknown) => void;

/** Fan-out of API events from services to every connected renderer (IPC windows, WebSocket clients). */
export class EventHub {
  private readonly listeners = new Set<RawListener>();

  emit<E extends ApiEventName>(event: E, payload: ApiEventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch {
        // a broken client must not stop delivery to the others
      }
    }
  }

  subscribe(listener: RawListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
