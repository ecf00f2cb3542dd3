// Section 1: bundle sizes, every bundle built with the same esbuild settings.
import { BUDGETS, PEER_BUNDLES, RTM_BUNDLES, measureBundle } from '../lib/bundle-size.mjs';
import { ratio, round } from '../lib/stats.mjs';

export async function run({ versions }) {
  const rows = [];
  for (const spec of [...RTM_BUNDLES, ...PEER_BUNDLES]) {
    const size = await measureBundle(spec);
    rows.push({ name: spec.name, version: spec.pkg ? versions[spec.pkg] : versions['rtm-kit'], ...size, budget: BUDGETS[spec.name] ?? null });
  }
  const client = rows[0];
  for (const row of rows) row.gzipVsRtmClient = round(ratio(row.gzip, client.gzip));
  return rows;
}
