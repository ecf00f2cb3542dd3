import { useInsertionEffect, useRef } from 'react';

/**
 * A ref that holds `value` as of the last commit. Listeners registered once in
 * an effect read it when they fire, so they call the newest handler (no stale
 * closure) without being removed and added again when the handler's identity
 * changes. Updated in an insertion effect, the earliest point after a commit
 * and one that runs nowhere during server rendering; never during render, which
 * React may throw away.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
