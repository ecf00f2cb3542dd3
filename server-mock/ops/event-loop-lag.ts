/**
 * Tells whether this process has fallen behind: a timer due every
 * `intervalMs` that fires more than `thresholdMs` late means the event loop
 * was busy (or the machine overloaded), and frames read just after it may
 * have waited in socket buffers for that long. Real time on purpose: what is
 * measured is the process, not the protocol's clock.
 */
export class EventLoopLag {
  private behindUntil = 0;
  private expected: number;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly intervalMs = 100,
    private readonly thresholdMs = 250,
    /** How long after a late tick the process still counts as behind. */
    private readonly holdMs = 300,
  ) {
    this.expected = Date.now() + intervalMs;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** True while the process is (or was just) behind. */
  get behind(): boolean {
    this.tick();
    return Date.now() < this.behindUntil;
  }

  /** Stops measuring. */
  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = Date.now();
    if (now < this.expected) return;
    if (now - this.expected > this.thresholdMs) this.behindUntil = now + this.holdMs;
    this.expected = now + this.intervalMs;
  }
}
