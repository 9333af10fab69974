/** The result table: rows with a target each, printed for people and written as JSON. */
import os from 'node:os';

export interface Row {
  readonly figure: string;
  readonly unit: string;
  readonly p2pchat: number;
  /** The baseline's figure in the same run; null where the target is absolute. */
  readonly baseline: number | null;
  /** What the baseline is. */
  readonly baselineName: string;
  /** p2pchat / baseline, or the speed-up where the row says so. */
  readonly ratio: number | null;
  readonly target: string;
  readonly pass: boolean;
  readonly note?: string;
}

export interface Machine {
  readonly cpus: number;
  readonly cpu: string;
  readonly node: string;
  readonly platform: string;
}

export function machine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function show(value: number | null, unit = ''): string {
  if (value === null || Number.isNaN(value)) return '-';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/** A plain-text table, one line per row, then the notes. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['figure', 'p2pchat', 'baseline', 'ratio', 'target', 'result'];
  const cells = rows.map((r) => [
    r.figure,
    show(r.p2pchat, r.unit),
    r.baseline === null ? '-' : `${show(r.baseline, r.unit)} (${r.baselineName})`,
    r.ratio === null ? '-' : `${show(r.ratio)}x`,
    r.target,
    r.pass ? 'pass' : 'MISS',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string => c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ').trimEnd();
  const notes = rows.filter((r) => r.note).map((r) => `  - ${r.figure}: ${r.note}`);
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}
