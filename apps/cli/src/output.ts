/** Where a command writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: progress lines are redrawn in place only then. */
  readonly errIsTty: boolean;
  /** Width of that terminal, when known: a redrawn line must not wrap. */
  readonly errColumns?: number;
}

/** The process's own stdout and stderr. */
export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get errIsTty() {
    return process.stderr.isTTY === true;
  },
  get errColumns() {
    return process.stderr.isTTY ? process.stderr.columns : undefined;
  },
};

/** One column of a table: its heading and how to read a cell from a row. */
export interface Column<R> {
  readonly heading: string;
  readonly cell: (row: R) => string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/**
 * A plain-text table with a heading row, columns padded to their widest cell.
 *
 * @example
 * renderTable([{ heading: 'ID', cell: (o) => o.id }], [{ id: 'a1' }]); // 'ID\na1\n'
 */
export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) => Math.max(column.heading.length, ...cells.map((line) => (line[i] ?? '').length)));
  const format = (line: readonly string[]) =>
    line
      .map((text, i) => (columns[i]?.right ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(columns.map((c) => c.heading)), ...cells.map(format)].join('\n') + '\n';
}

/**
 * JSON text for scripts: decimals as strings (their `toJSON`), bigints (nanosecond
 * times) as decimal strings, since JSON numbers would lose their precision.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

/** A duration in milliseconds for people: `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function humanDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3_600)}h${String(Math.floor((seconds % 3_600) / 60)).padStart(2, '0')}m`;
}
