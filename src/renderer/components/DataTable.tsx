/**
 * The app's data table: columns declared once (header, cell, class), rows keyed, each row's own
 * attributes (data-*, aria-selected) for tests and selection, and what an empty table says.
 */
import type { HTMLAttributes, ReactNode } from 'react';

export interface Column<Row> {
  /** The header: text, or an element (an empty actions header carries an aria-label). */
  header: ReactNode;
  cell(row: Row): ReactNode;
  /** A class for the header and the cells ('text' aligns left). */
  className?: string;
  /** A class for the cells only (a flex 'row' of buttons, which a header must not get). */
  cellClassName?: string;
  /** The header's accessible name, when it shows none. */
  label?: string;
}

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | number>;

export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  rowProps,
  testId,
  empty,
  scroll,
}: {
  columns: ReadonlyArray<Column<Row>>;
  rows: readonly Row[];
  rowKey(row: Row): string | number;
  rowProps?(row: Row): RowAttributes;
  testId?: string;
  /** Shown instead of the table when there are no rows (default: the table, empty). */
  empty?: ReactNode;
  /** A class for a scrolling wrapper (none: the bare table). */
  scroll?: string;
}) {
  if (!rows.length && empty !== undefined) return <>{empty}</>;
  const table = (
    <table className="data" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((column, k) => (
            <th key={k} className={column.className} aria-label={column.label}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((column, k) => (
              <td key={k} className={column.cellClassName ?? column.className}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return scroll ? <div className={scroll}>{table}</div> : table;
}
