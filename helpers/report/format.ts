/** Human-readable figures shared by comparison wording and the dashboard. */
const KiB = 1024;
const MiB = 1024 * 1024;

export function formatValue(value: number, unit: string): string {
  const neg = value < 0 ? '-' : '';
  const v = Math.abs(value);
  switch (unit) {
    case 'bytes':
      if (v >= MiB) return `${neg}${(v / MiB).toFixed(1)} MiB`;
      if (v >= KiB) return `${neg}${(v / KiB).toFixed(1)} KiB`;
      return `${neg}${v} B`;
    case 'ms':
      return v >= 1000 ? `${neg}${(v / 1000).toFixed(2)} s` : `${neg}${Math.round(v)} ms`;
    case 'count':
      return `${neg}${v}`;
    default:
      return `${neg}${v} ${unit}`;
  }
}

export const formatDelta = (delta: number, unit: string): string =>
  delta > 0 ? `+${formatValue(delta, unit)}` : formatValue(delta, unit);

export const formatPercent = (ratio: number): string => `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %`;

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `2026-01-27 08:58 UTC`: compact and unambiguous on any viewer's machine. */
export const formatTime = (iso: string): string => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
