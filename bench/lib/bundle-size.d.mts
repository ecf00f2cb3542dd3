/** Sizes of one bundle, in bytes. */
export interface BundleSize {
  min: number;
  gzip: number;
  brotli: number;
}
/** What to bundle: a file of this repository, or inline code that imports a package. */
export interface BundleSpec {
  name: string;
  entry?: string;
  code?: string;
  pkg?: string;
  format?: 'esm' | 'iife';
  globalName?: string;
  plugins?: unknown[];
  /** Imports left out of the bundle, e.g. `react`. */
  external?: string[];
}
export const ROOT: string;
export const BUNDLE_SETTINGS: Readonly<Record<string, unknown>>;
export const RTM_BUNDLES: BundleSpec[];
export const PEER_BUNDLES: BundleSpec[];
export function measureBundle(spec: BundleSpec): Promise<BundleSize>;
/** min+gzip budgets in bytes by bundle name, enforced by bench/size-budget.test.ts. */
export const BUDGETS: Readonly<Record<string, number>>;
