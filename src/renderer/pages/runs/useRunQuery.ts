/**
 * The run browser's query: the filters (the Queue's cell syntax; an invalid cell filter says so
 * instead of being ignored), the page of runs they select, reloaded as they change (after a short
 * pause for typing) and when a run ends.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { type RunSummary } from '../../../shared/run';
import { parseCells } from '../../../shared/recipes';
import { getApi } from '../../api/client';
import { errorText, useApiEvent } from '../../hooks/api';

export const PAGE = 100;

export interface RunFilterState {
  procedure: string;
  status: string;
  cell: string;
  search: string;
  showHidden: boolean;
}

export function useRunQuery(initialCell: string) {
  const [filters, setFilters] = useState<RunFilterState>({
    procedure: '',
    status: '',
    cell: initialCell,
    search: '',
    showHidden: false,
  });
  const [runs, setRuns] = useState<RunSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [limit, setLimit] = useState(PAGE);
  const [error, setError] = useState<string>();
  const { procedure, status, cell, search, showHidden } = filters;
  const cellFilter = useMemo((): { cells?: number[]; error?: string } => {
    if (!cell.trim()) return {};
    try {
      return { cells: parseCells(cell) };
    } catch (e) {
      return { error: errorText(e) };
    }
  }, [cell]);

  const load = useCallback(async () => {
    try {
      const result = await getApi().call['runs.query']({
        limit,
        ...(procedure ? { procedure: procedure as RunSummary['procedure'] } : {}),
        ...(status ? { status: status as RunSummary['status'] } : {}),
        ...(cellFilter.cells ? { cells: cellFilter.cells } : {}),
        ...(search.trim() ? { search } : {}),
        includeHidden: showHidden,
      });
      setRuns(result.runs);
      setTotal(result.total);
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    }
  }, [limit, procedure, status, cellFilter, search, showHidden]);
  useEffect(() => {
    const timer = setTimeout(() => void load(), 150);
    return () => clearTimeout(timer);
  }, [load]);
  useApiEvent(
    'run.ended',
    useCallback(() => void load(), [load]),
  );
  const setFilter = (patch: Partial<RunFilterState>) => setFilters((f) => ({ ...f, ...patch }));
  const more = () => setLimit((l) => l + PAGE);
  return { filters, setFilter, cellError: cellFilter.error, runs, total, more, error, load };
}
