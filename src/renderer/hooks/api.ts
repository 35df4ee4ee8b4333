import { useCallback, useEffect, useState } from 'react';
import type {
  ApiEventListener,
  ApiEventName,
  ApiInput,
  ApiMethodName,
  ApiOutput,
  InstrumentStatus,
} from '../../shared/api';
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

export interface ApiQuery<M extends ApiMethodName> {
  data: ApiOutput<M> | undefined;
  /** Why the last call failed, as the page shows it. */
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

export interface ApiQueryOptions {
  /** The input's identity, as text (default: the input as JSON). */
  key?: string;
  /** Events after which the answer is asked again (a run that ended changes the run list). */
  reloadOn?: readonly ApiEventName[];
}

/**
 * One API call's answer, asked on mount, again when `key` changes, and again after any event of
 * `reloadOn`; an answer that arrives after the page moved on is dropped.
 */
export function useApiQuery<M extends ApiMethodName>(
  method: M,
  input: ApiInput<M>,
  { key = JSON.stringify(input), reloadOn = [] }: ApiQueryOptions = {},
): ApiQuery<M> {
  const [data, setData] = useState<ApiOutput<M>>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const events = reloadOn.join(' ');
  useEffect(() => {
    const api = getApi();
    const offs = (events ? (events.split(' ') as ApiEventName[]) : []).map((event) => api.on(event, reload));
    return () => offs.forEach((off) => off());
  }, [events, reload]);
  useEffect(() => {
    let live = true;
    setLoading(true);
    void getApi()
      .call[method](input)
      .then(
        (value) => {
          if (!live) return;
          setData(value);
          setError(undefined);
        },
        (e: unknown) => live && setError(errorText(e)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
    // The input is compared by its key, not by identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [method, key, generation]);
  return { data, error, loading, reload };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
