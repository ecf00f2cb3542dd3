import type { Subscriber } from './stream.js';

/** A subscriber that keeps the frames it is sent, parsed, and whether it was found too slow. */
export interface Collector {
  readonly frames: any[];
  readonly subscriber: Subscriber;
  /** How many frames came as a replay. */
  readonly replayed: number;
  /** How many times the stream found it too slow. */
  readonly slow: number;
}

/**
 * A {@link Subscriber} that collects its frames. A paced write (a replay) yields to the event loop first, as one
 * waiting for a client to read does, so that live events can arrive in the middle of a replay.
 */
export function collector(maxBuffered = 1 << 20): Collector {
  const frames: any[] = [];
  let slow = 0;
  let replayed = 0;
  const subscriber: Subscriber = {
    maxBuffered,
    write: (frame) => {
      frames.push(JSON.parse(frame));
      return true;
    },
    writePaced: async (frame) => {
      await new Promise((resolve) => setImmediate(resolve));
      frames.push(JSON.parse(frame));
      replayed += 1;
      return true;
    },
    tooSlow: () => {
      slow += 1;
    },
  };
  return {
    frames,
    subscriber,
    get replayed() {
      return replayed;
    },
    get slow() {
      return slow;
    },
  };
}
