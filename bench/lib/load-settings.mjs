// The reference server's abuse limits are sized for pages (200 frames/s per connection, 1 MiB unsent per reader),
// not for load generators that publish thousands of messages a second from one connection or let a blocked page
// fall a whole burst behind. Benchmarks lift them, so they measure the messaging path rather than the limiter;
// BENCH_RTM_OPTIONS / BENCH_RTM_SERVER_ARGS replace these, and results.json records what was used.
// Load generators also open thousands of connections as one `sub`, past the per-user cap.
const LIFTED = { rateBurst: 1_000_000, ratePerSecond: 1_000_000, abuseLimit: 1_000_000, maxBuffered: 64 * 1024 * 1024, maxConnectionsPerUser: 0 };

/** createServer options for benchmarked in-process servers, as JSON. */
export const LOAD_OPTIONS = process.env.BENCH_RTM_OPTIONS || JSON.stringify({ limits: LIFTED });

/** Extra rtm-server flags for benchmarked bins. */
export const LOAD_ARGS =
  process.env.BENCH_RTM_SERVER_ARGS ?? `--rate-burst ${LIFTED.rateBurst} --rate ${LIFTED.ratePerSecond} --abuse-limit ${LIFTED.abuseLimit} --max-buffered ${LIFTED.maxBuffered} --max-connections-per-user ${LIFTED.maxConnectionsPerUser}`;
