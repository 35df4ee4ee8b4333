/**
 * The app's data table: columns declared once (header, cell, class), rows keyed, each row's and
 * cell's own attributes (data-*, aria-selected, a class from its value) for tests and selection,
 * a caption, and what an empty table says. Every table of the app but the virtualised run sheet
 * (runs/DataSheet.tsx) is one.
 */
import type { HTMLAttributes, ReactNode, TdHTMLAttributes } from 'react';

type DataAttributes = Record<`data-${string}`, string | number>;
export type CellAttributes = TdHTMLAttributes<HTMLTableCellElement> & DataAttributes;
type RowAttributes = HTMLAttributes<HTMLTableRowElement> & DataAttributes;

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
  /** The cell names its row (a <th scope="row">). */
  rowHeader?: boolean;
  /** The cell's own attributes: data-* for tests, a class from its value, a click handler. */
  cellProps?(row: Row): CellAttributes;
  /** A stable key, for columns made from data (one per bit width). */
  key?: string | number;
}

function joinClasses(...classes: Array<string | undefined>): string | undefined {
  return classes.filter(Boolean).join(' ') || undefined;
}

function Cell<Row>({ column, row }: { column: Column<Row>; row: Row }) {
  const { className, ...props } = column.cellProps?.(row) ?? {};
  const classes = joinClasses(column.cellClassName ?? column.className, className);
  return column.rowHeader ? (
    <th scope="row" className={classes} {...(props as HTMLAttributes<HTMLTableCellElement>)}>
      {column.cell(row)}
    </th>
  ) : (
    <td className={classes} {...props}>
      {column.cell(row)}
    </td>
  );
}

export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  rowProps,
  testId,
  empty,
  scroll,
  caption,
  captionClassName,
  className = 'data',
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
  caption?: ReactNode;
  captionClassName?: string;
  /** The table's class (default 'data'). */
  className?: string;
}) {
  if (!rows.length && empty !== undefined) return <>{empty}</>;
  const table = (
    <table className={className} data-testid={testId}>
      {caption !== undefined ? <caption className={captionClassName}>{caption}</caption> : null}
      <thead>
        <tr>
          {columns.map((column, k) => (
            <th key={column.key ?? k} scope="col" className={column.className} aria-label={column.label}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((column, k) => (
              <Cell key={column.key ?? k} column={column} row={row} />
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return scroll ? <div className={scroll}>{table}</div> : table;
}
