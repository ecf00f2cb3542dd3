import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the browser and the reference server that can turn
 * every open connection into a black hole: bytes in either direction are
 * swallowed, nothing is closed. That is what a link looks like after a laptop
 * sleeps and the network behind it moves on; new connections still get through.
 * It can also stand in for a load balancer: `pointTo` sends new connections to
 * another server instance.
 */
export interface BlackholeProxy {
  port: number;
  /** Silently swallows all traffic of the connections open now. */
  blackhole(): void;
  /** Swallows what the server sends on the connections open now (acknowledgements get lost); what the client sends still arrives. */
  muteDownstream(): void;
  /** Cuts every connection open now at once, as a crashed network or a server-side terminate does (the client sees 1006). */
  cut(): void;
  /** Sends new connections to `port` from now on; open ones stay where they are. */
  pointTo(port: number): void;
  /** Connections relayed so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<BlackholeProxy> {
  let pairs: Array<{ client: Socket; upstream: Socket; dead: boolean; muted: boolean }> = [];
  let connections = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, dead: false, muted: false };
    pairs.push(pair);
    connections += 1;
    client.on('data', (chunk) => pair.dead || upstream.write(chunk));
    upstream.on('data', (chunk) => pair.dead || pair.muted || client.write(chunk));
    const end = (): void => {
      if (pair.dead) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    blackhole: () => pairs.forEach((pair) => (pair.dead = true)),
    muteDownstream: () => pairs.forEach((pair) => (pair.muted = true)),
    pointTo: (port) => void (targetPort = port),
    cut: () => {
      for (const { client, upstream } of pairs) client.destroy(), upstream.destroy();
      pairs = [];
    },
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) client.destroy(), upstream.destroy();
        server.close(() => resolve());
      }),
  };
}
