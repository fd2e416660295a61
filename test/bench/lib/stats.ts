export function median(values: number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function max(values: number[]): number {
	return values.length === 0 ? Number.NaN : Math.max(...values);
}

export function ms(value: number): string {
	if (!Number.isFinite(value)) return '—';
	if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
	if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
	return `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
}

export function mb(bytes: number): string {
	return Number.isFinite(bytes) ? `${(bytes / (1024 * 1024)).toFixed(0)} MiB` : '—';
}

export function ratio(value: number): string {
	return Number.isFinite(value) ? value.toFixed(2) : '—';
}

/** A plain-text table (also valid Markdown), columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
	const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
	const line = (cells: string[]) => `| ${cells.map((cell, column) => (cell ?? '').padEnd(widths[column])).join(' | ')} |`;
	return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
