/**
 * True when `value` nests deeper than `max`. Iterative, because the inputs
 * that matter here are the ones deep enough to overflow a recursive walk,
 * and JSON.stringify itself throws past about 4,000 levels on Node 20. It runs
 * on every frame, so the walk allocates nothing per node: two stacks, reused.
 */
export function exceedsDepth(value: unknown, max: number): boolean {
  const nodes = NODES;
  const depths = DEPTHS;
  let top = 0;
  nodes[top] = value;
  depths[top++] = 0;
  let deep = false;
  while (top > 0) {
    const node = nodes[--top];
    nodes[top] = undefined;
    if (deep || typeof node !== 'object' || node === null) continue;
    const depth = depths[top]!;
    if (depth >= max) deep = true;
    else if (Array.isArray(node)) {
      for (const child of node) {
        nodes[top] = child;
        depths[top++] = depth + 1;
      }
    } else {
      for (const key in node) {
        nodes[top] = (node as Record<string, unknown>)[key];
        depths[top++] = depth + 1;
      }
    }
  }
  // A huge body grew the stacks: they do not keep that size for good.
  if (nodes.length > KEPT) nodes.length = depths.length = 0;
  return deep;
}

const NODES: unknown[] = [];
const DEPTHS: number[] = [];
/** Stack slots kept between walks; a frame with more nodes side by side makes them grow for its walk only. */
const KEPT = 1024;
