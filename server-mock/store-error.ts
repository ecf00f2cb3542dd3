/**
 * A shared store (Redis) could not be reached. Nothing was published; the
 * client gets RTC error 1 (REST: HTTP 503) with this message as its info,
 * and may try again once the store is back.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}
