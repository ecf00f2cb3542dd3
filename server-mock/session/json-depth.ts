/**
 * True when `value` nests deeper than `max`. Iterative, because the inputs
 * that matter here are the ones deep enough to overflow a recursive walk,
 * and JSON.stringify itself throws past about 4,000 levels on Node 20.
 */
export function exceedsDepth(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
