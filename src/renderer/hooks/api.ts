import { useEffect, useState } from 'react';
import type { ApiEventListener, ApiEventName, InstrumentStatus } from '../../shared/api';
import { getApi } from '../api/client';

export function useApiEvent<E extends ApiEventName>(event: E, listener: ApiEventListener<E>): void {
  useEffect(() => getApi().on(event, listener), [event, listener]);
}

/** Live instrument status: fetched once, then kept current by instrument.status events. */
export function useInstrumentStatus(): InstrumentStatus | undefined {
  const [status, setStatus] = useState<InstrumentStatus>();
  useEffect(() => {
    let live = true;
    void getApi()
      .call['instrument.status']({})
      .then(
        (s) => live && setStatus(s),
        () => undefined,
      );
    const off = getApi().on('instrument.status', setStatus);
    return () => {
      live = false;
      off();
    };
  }, []);
  return status;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
