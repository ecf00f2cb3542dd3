// @ts-nocheck
// Vendored unchanged from jexia/jexia-sdk-js@a65cb64 (5.12.0 + lockfile), e2e/lib/utils.ts (MIT, see interop/jexia-stories/LICENSE);
// only the import lines differ: faker and joi-assert point at small shims, and require() became import.
import * as faker from "../../shims/faker";
import { MESSAGE } from "../../src/config/message";

export const BAD_REQUEST_ERROR = new Error(`${MESSAGE.CORE.BACKEND_ERROR}400 Bad Request`);

export function getRandomList<T>({
  // @ts-ignore
  min = 0,
  // @ts-ignore
  max = 5,
  length = faker.random.number({ min, max }),
  callback = () => ({} as T),
} = {}): T[] {
  return Array.from({length}, callback);
}
