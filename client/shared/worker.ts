/**
 * The SharedWorker script of the shared mode (dist/rtm-shared-worker.js): one
 * {@link LinkHost} for every tab of the origin. It learns that a tab closed
 * or crashed when the tab's Web Lock becomes free.
 */
import { LinkHost } from './host.js';
import type { TabMessage } from './messages.js';
import type { MessageTarget } from './platform.js';
import { locks } from './platform.js';

const ports = new Map<string, MessageTarget>();
const host = new LinkHost({ post: (tab, message) => ports.get(tab)?.postMessage(message) });

function watch(tab: string): void {
  void locks()?.request(`rtm-kit:tab:${tab}`, {}, () => {
    ports.delete(tab);
    host.gone(tab);
  });
}

(globalThis as unknown as { onconnect: (event: { ports: MessageTarget[] }) => void }).onconnect = ({ ports: [port] }) => {
  port!.onmessage = ({ data }) => {
    const message = data as TabMessage;
    if (!ports.has(message.tab)) {
      ports.set(message.tab, port!);
      watch(message.tab);
    }
    host.receive(message);
  };
};
