/** The profile library: tick to overlay, export (JSON, CSV, a simulator's files), predict, delete. */
import type { ProfileSummary } from '../../../shared/profile/schema';
import { formatSI } from '../../../shared/units';
import { INTEROP_FORMAT_IDS, INTEROP_FORMATS, type InteropFormatId } from '../../../shared/interop/formats';
import { DataTable, type Column } from '../../components/DataTable';

export function ProfileTable({
  profiles,
  selected,
  onToggle,
  onExport,
  onExportFor,
  onRemove,
}: {
  profiles: ProfileSummary[];
  selected: string[];
  onToggle(name: string, on: boolean): void;
  onExport(name: string, format: 'json' | 'csv'): void;
  onExportFor(name: string, format: InteropFormatId): void;
  onRemove(name: string): void;
}) {
  const columns: Array<Column<ProfileSummary>> = [
    {
      header: 'show',
      cell: (p) => (
        <input
          type="checkbox"
          aria-label={`Overlay ${p.name}`}
          checked={selected.includes(p.name)}
          onChange={(e) => onToggle(p.name, e.target.checked)}
        />
      ),
    },
    {
      header: 'name',
      className: 'text',
      cell: (p) => (
        <>
          {p.name}
          <div className="muted">
            {p.readOnly ? 'built-in' : p.source} {p.materialStack ? `· ${p.materialStack}` : ''}
          </div>
        </>
      ),
    },
    { header: 'levels', cell: (p) => p.tables[0]?.levels },
    {
      header: 'G range',
      cell: (p) => (
        <>
          {formatSI(p.tables[0]?.gMin, 'S')} – {formatSI(p.tables[0]?.gMax, 'S')}
        </>
      ),
    },
    {
      header: 'actions',
      cell: (p) => (
        <ProfileActions profile={p} onExport={onExport} onExportFor={onExportFor} onRemove={onRemove} />
      ),
    },
  ];
  return (
    <DataTable
      columns={columns}
      rows={profiles}
      rowKey={(p) => p.name}
      rowProps={(p) => ({ 'data-profile': p.name })}
      testId="profiles"
    />
  );
}

function ProfileActions({
  profile: p,
  onExport,
  onExportFor,
  onRemove,
}: {
  profile: ProfileSummary;
  onExport(name: string, format: 'json' | 'csv'): void;
  onExportFor(name: string, format: InteropFormatId): void;
  onRemove(name: string): void;
}) {
  return (
    <div className="actions">
      <button type="button" onClick={() => onExport(p.name, 'json')} aria-label={`Export ${p.name} as JSON`}>
        JSON
      </button>
      <button type="button" onClick={() => onExport(p.name, 'csv')} aria-label={`Export ${p.name} as CSV`}>
        CSV
      </button>
      <select
        aria-label={`Export ${p.name} for a simulator`}
        value=""
        onChange={(e) => {
          if (e.target.value) onExportFor(p.name, e.target.value as InteropFormatId);
        }}
      >
        <option value="">Export for…</option>
        {INTEROP_FORMAT_IDS.map((id) => (
          <option key={id} value={id} title={INTEROP_FORMATS[id].description}>
            {INTEROP_FORMATS[id].label}
          </option>
        ))}
      </select>
      <a href={`#/predict?profile=${encodeURIComponent(p.name)}`}>Predict</a>
      {p.readOnly ? null : (
        <button type="button" onClick={() => onRemove(p.name)} aria-label={`Delete ${p.name}`}>
          Delete
        </button>
      )}
    </div>
  );
}
