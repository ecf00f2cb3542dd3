import { describe, expect, it } from 'vitest';
import { BUDGETS, RTM_BUNDLES, measureBundle } from './lib/bundle-size.mjs';

// Bytes are deterministic (pinned esbuild, fixed zlib levels), so budgets are a test, unlike speed.
// 1 KB = 1,000 bytes, min+gzip (level 9), built from source with the settings bench/ uses; budgets in lib/bundle-size.mjs.
describe('bundle size budgets (min+gzip)', () => {
  for (const [name, budget] of Object.entries(BUDGETS)) {
    it(`${name} is at most ${budget.toLocaleString('en-US')} bytes`, async () => {
      const spec = RTM_BUNDLES.find((bundle) => bundle.name === name);
      expect(spec, `bench/lib/bundle-size.mjs has no bundle named "${name}"`).toBeDefined();
      const size = await measureBundle(spec!);
      expect(size.gzip, `${name}: ${size.gzip} bytes min+gzip, budget ${budget}`).toBeLessThanOrEqual(budget);
    });
  }

  it('measures the same bytes on every build', async () => {
    const spec = RTM_BUNDLES[0]!;
    expect(await measureBundle(spec)).toEqual(await measureBundle(spec));
  });
});
