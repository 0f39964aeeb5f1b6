import type { ReactNode } from 'react';
import { useT } from '../i18n/i18n';
import { EmptyState, ErrorNote, Loading } from './ui';

/**
 * The staff console's tables: one caption for screen readers, one header cell per row
 * (`th scope="row"`, what a row is named by), an actions column whose header is announced
 * but not shown, and the loading / error / empty states around them.
 */

export interface Column<Row> {
  /** React key of the column */
  key: string;
  header: ReactNode;
  cell: (row: Row, index: number) => ReactNode;
  /** the cell that names the row: rendered as `th scope="row"` */
  rowHeader?: boolean;
  /** class of the body cells; a function when it depends on the row */
  className?: string | ((row: Row) => string | undefined);
  testId?: string;
}

export interface PageControl {
  page: number;
  pages: number;
  onPage: (page: number) => void;
}

export interface DataTableProps<Row> {
  /** read to screen readers as the table's name */
  caption: string;
  columns: Column<Row>[];
  /** null or undefined until the first load answers */
  rows: Row[] | null | undefined;
  rowKey: (row: Row) => string;
  rowTestId?: string;
  /** classes of one body row (e.g. the signed-in student's own row on a leaderboard) */
  rowClassName?: (row: Row) => string | undefined;
  /** the last column: buttons and links for one row */
  actions?: (row: Row) => ReactNode;
  /** shown while there is nothing yet to show */
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  /** shown when rows is an empty list; a string becomes an EmptyState of that title */
  empty?: ReactNode;
  /** extra classes of the table, e.g. `table--monitor` */
  className?: string;
  /** wide tables scroll sideways inside their card instead of widening the page */
  scroll?: boolean;
  pagination?: PageControl;
}

export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowTestId,
  rowClassName,
  actions,
  loading = false,
  error,
  onRetry,
  empty,
  className,
  scroll = true,
  pagination,
}: DataTableProps<Row>) {
  const t = useT();
  const table = rows && rows.length > 0 && (
    <table className={className ? `table ${className}` : 'table'}>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.key} scope="col">
              {column.header}
            </th>
          ))}
          {actions && (
            <th scope="col" className="table__actions">
              <span className="sr-only">{t('common.actions')}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row)} data-testid={rowTestId} className={rowClassName?.(row)}>
            {columns.map((column) => {
              const Cell = column.rowHeader ? 'th' : 'td';
              const cellClass =
                typeof column.className === 'function' ? column.className(row) : column.className;
              return (
                <Cell
                  key={column.key}
                  scope={column.rowHeader ? 'row' : undefined}
                  className={cellClass}
                  data-testid={column.testId}
                >
                  {column.cell(row, index)}
                </Cell>
              );
            })}
            {actions && <td className="table__actions">{actions(row)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );

  return (
    <>
      {loading && <Loading />}
      <ErrorNote error={error} onRetry={onRetry} />
      {rows &&
        rows.length === 0 &&
        (typeof empty === 'string' ? <EmptyState title={empty} /> : empty)}
      {table && (
        <div className="card card--flush">
          {scroll ? <div className="table-scroll">{table}</div> : table}
          {pagination && <Pagination {...pagination} />}
        </div>
      )}
    </>
  );
}

/** Previous / next with "page n of m"; nothing when everything fits on one page. */
export function Pagination({ page, pages, onPage }: PageControl) {
  const t = useT();
  if (pages <= 1) return null;
  return (
    <div className="pagination">
      <button
        type="button"
        className="btn btn--ghost btn--sm"
        disabled={page <= 1}
        onClick={() => onPage(page - 1)}
      >
        {t('common.prevPage')}
      </button>
      <span>{t('common.pageOf', { n: page, total: pages })}</span>
      <button
        type="button"
        className="btn btn--ghost btn--sm"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
      >
        {t('common.nextPage')}
      </button>
    </div>
  );
}

/** The filters above a table or list. */
export function Toolbar({ children }: { children: ReactNode }) {
  return <div className="toolbar">{children}</div>;
}

export function SearchField({
  id,
  label,
  value,
  onChange,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
}) {
  return (
    <div className="field field--inline field--grow">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
      />
    </div>
  );
}

export function FilterSelect({
  id,
  label,
  value,
  onChange,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** the `option` elements */
  children: ReactNode;
}) {
  return (
    <div className="field field--inline">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </div>
  );
}
