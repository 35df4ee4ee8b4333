import { formatSI } from '../../../shared/units';
import { DataTable, type Column } from '../../components/DataTable';
import type { VerifyTally } from './live';

type Status = 'pending' | 'pass' | 'fail' | 'partial';
interface LevelRow {
  level: number;
  g: number;
  band: number;
  tried: number;
  landed: number[];
  status: Status;
}

function levelRows(targets: { g: number[]; band: number[] }, tally: VerifyTally): LevelRow[] {
  return targets.g.map((g, level) => {
    const tried = tally.tried.get(level)?.size ?? 0;
    const landed = tally.landed.get(level) ?? [];
    const status: Status =
      tried === 0 ? 'pending' : landed.length === tried ? 'pass' : landed.length === 0 ? 'fail' : 'partial';
    return { level, g, band: targets.band[level]!, tried, landed, status };
  });
}

const COLUMNS: Array<Column<LevelRow>> = [
  { header: 'level', cell: (r) => r.level },
  { header: 'target', cell: (r) => formatSI(r.g, 'S') },
  { header: 'band', cell: (r) => `± ${formatSI(r.band, 'S')}` },
  { header: 'landed', cell: (r) => `${r.landed.length}/${r.tried}` },
  {
    header: 'mean of landed',
    cell: (r) =>
      r.landed.length ? formatSI(r.landed.reduce((a, b) => a + b, 0) / r.landed.length, 'S') : '—',
  },
  {
    header: 'status',
    className: 'text',
    cell: (r) => (
      <span
        className={`status ${r.status === 'pass' ? 'completed' : r.status === 'fail' ? 'failed' : r.status}`}
      >
        {r.status}
      </span>
    ),
  },
];

export function WriteVerifyLevels({
  targets,
  tally,
}: {
  targets: { g: number[]; band: number[] };
  tally: VerifyTally;
}) {
  return (
    <DataTable
      columns={COLUMNS}
      rows={levelRows(targets, tally)}
      rowKey={(r) => r.level}
      rowProps={(r) => ({ 'data-status': r.status })}
      testId="verify-levels"
      caption="Write-verify targets: each level's band and how many repeats landed in it"
      captionClassName="muted"
    />
  );
}
