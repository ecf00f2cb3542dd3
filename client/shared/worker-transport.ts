import type { TabMessage } from './messages.js';
import type { SharedWorkerConstructor, SharedWorkerLike } from './platform.js';
import type { Transport, TransportEvents } from './transport.js';

/** The tab's end of a SharedWorker that holds the connections of every tab of the origin (see worker.ts). */
export class WorkerTransport implements Transport {
  readonly mode = 'worker';
  private readonly worker: SharedWorkerLike;

  /** Throws where the worker cannot be created (e.g. a URL of another origin). */
  constructor(url: string | URL, Worker: SharedWorkerConstructor, events: TransportEvents) {
    this.worker = new Worker(url, { name: 'rtm-kit' });
    this.worker.onerror = () => events.failed();
    this.worker.port.onmessage = ({ data }) => events.message(data as never);
    this.worker.port.start();
  }

  join(): void {
    // One worker serves every user: it keys the connections by the token of each socket.
  }

  send(_key: string, message: TabMessage): void {
    this.worker.port.postMessage(message);
  }

  close(): void {
    this.worker.onerror = null;
    this.worker.port.onmessage = null;
    this.worker.port.close();
  }
}
