/**
 * The manager's tables: column heads that end in the (visually hidden)
 * Actions column, and, for the lists of the Sessions and Rules tabs, a table
 * of rows that each name their server first and end in one small button.
 */
import type { ReactNode } from 'react';

/** A column title, with the class of its cells where it has one. */
export type Column = string | { readonly label: string; readonly className: string };

export function ColumnHeads({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) =>
          typeof column === 'string' ? (
            <th key={column} scope="col">
              {column}
            </th>
          ) : (
            <th key={column.label} scope="col" className={column.className}>
              {column.label}
            </th>
          ),
        )}
        <th scope="col" className="cell-actions">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

interface ListTableProps<T> {
  readonly items: readonly T[];
  /** Shown instead of the table when there are no items. */
  readonly empty: string;
  readonly columns: readonly Column[];
  /** One `ListRow` per item (with its key). */
  readonly row: (item: T) => ReactNode;
}

export function ListTable<T>({ items, empty, columns, row }: ListTableProps<T>) {
  if (items.length === 0) return <p className="empty-inline">{empty}</p>;
  return (
    <table className="table">
      <ColumnHeads columns={columns} />
      <tbody>{items.map((item) => row(item))}</tbody>
    </table>
  );
}

/** The one button at the end of a row. */
export interface RowButton {
  readonly label: string;
  readonly ariaLabel: string;
  readonly testId: string;
  readonly onClick: () => void;
}

interface ListRowProps {
  readonly 'data-testid': string;
  /** The row header. */
  readonly server: string;
  readonly button: RowButton;
  /** The cells between the server and the button. */
  readonly children: ReactNode;
}

export function ListRow({ 'data-testid': testId, server, button, children }: ListRowProps) {
  return (
    <tr data-testid={testId}>
      <th scope="row" className="strong">
        {server}
      </th>
      {children}
      <td className="cell-actions">
        <button type="button" className="btn btn-small" aria-label={button.ariaLabel} data-testid={button.testId} onClick={button.onClick}>
          {button.label}
        </button>
      </td>
    </tr>
  );
}
