const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/** The largest span a JavaScript Date can move by; anything longer cannot be a cutoff. */
const MAX_DURATION_MS = 8.64e15;

// Units must come largest first and at most once each: `1d12h`, not `12h1d` or `1h1h`.
const COMPACT = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
// ISO-8601 durations with fixed-length parts only; years and months have no fixed length.
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i;

const UNIT_MS = [WEEK_MS, DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS];
const AGE_UNITS: [number, string][] = [
  [DAY_MS, 'd'],
  [HOUR_MS, 'h'],
  [MINUTE_MS, 'm'],
  [SECOND_MS, 's'],
];

/**
 * Parses `0`, `45s`, `30m`, `6h`, `7d`, `2w`, `1d12h`, or ISO-8601 `P7D`, `PT36H`, `P1DT12H`
 * into milliseconds. Returns undefined for anything else, including negative values.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '0') return 0;
  const match = COMPACT.exec(value) ?? ISO.exec(value);
  if (!match || match.slice(1).every((part) => part === undefined)) return undefined;
  if (/T$/i.test(value)) return undefined; // `P1DT` names a time part and gives none
  const ms = UNIT_MS.reduce((sum, unitMs, i) => sum + Number(match[i + 1] ?? 0) * unitMs, 0);
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

/** A span as a person reads it: its two largest non-zero units, e.g. `3d 4h`, `5m 2s`, `0s`. */
export function formatAge(ms: number): string {
  let rest = Math.max(0, ms);
  const parts = AGE_UNITS.map(([unitMs, unit]) => {
    const count = Math.floor(rest / unitMs);
    rest -= count * unitMs;
    return { count, unit };
  });
  const largest = parts.findIndex((part) => part.count > 0);
  if (largest === -1) return '0s';
  return parts
    .slice(largest, largest + 2)
    .filter((part) => part.count > 0)
    .map((part) => `${part.count}${part.unit}`)
    .join(' ');
}
