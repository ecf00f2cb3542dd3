// Summary statistics. Percentiles use the nearest-rank method on sorted samples.

/** The p-th percentile (0-100) by nearest rank, or null for no samples. */
export function percentile(samples, p) {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export const median = (samples) => percentile(samples, 50);

/** Largest sample, or null. */
export function max(samples) {
  return samples.length === 0 ? null : samples.reduce((a, b) => (b > a ? b : a), -Infinity);
}

/** a / b, or null when either is missing. */
export function ratio(a, b) {
  return a == null || b == null || b === 0 ? null : a / b;
}

/** Rounds for reports: integers above 100, else 3 significant digits. */
export function round(value) {
  if (value == null || !Number.isFinite(value)) return value ?? null;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Number(value.toPrecision(3));
}
