import { pino } from 'pino';

/** One line of the message log, like a row of the original APEX RTM plug-ins' RTM_LOG table. */
export interface MessageLogEntry {
  /** Who sent it: a token `sub` or `api:<key name>`. */
  source: string;
  channel: string;
  eventName: string | null;
  /** `sent`, or `rejected` with `error` saying why. */
  status: 'sent' | 'rejected';
  /** How many subscribers received it. */
  recipients?: number;
  error?: { code: number; info: string };
  /** Only with --log-payloads. */
  payload?: unknown;
}

/** Appends channel messages to a file as JSON lines. */
export interface MessageLog {
  write(entry: MessageLogEntry): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Largest backlog kept in memory while the disk is slow; lines beyond it are dropped and counted. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * Opens (creating it and its folder if needed) an append-only JSON-lines
 * message log. Writes are asynchronous and the backlog is bounded: when the
 * disk cannot keep up, lines are dropped and `onDrop` counts them.
 */
export function openMessageLog(path: string, onDrop: () => void): MessageLog {
  const destination = pino.destination({ dest: path, append: true, mkdir: true, sync: false, minLength: 0, maxLength: MAX_BACKLOG_BYTES });
  destination.on('drop', onDrop);
  let failed = false;
  destination.on('error', () => {
    // A log file that fails (disk full, removed folder) must not take the server down; the loss is counted.
    failed = true;
  });
  return {
    write(entry) {
      if (failed) return onDrop();
      destination.write(`${JSON.stringify({ ts: new Date().toISOString(), ...entry })}\n`);
    },
    close() {
      return new Promise((resolve) => {
        if (failed) return resolve();
        destination.once('close', () => resolve());
        destination.once('error', () => resolve());
        destination.end();
      });
    },
  };
}
