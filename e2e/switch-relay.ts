import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP relay standing in for a load balancer in front of several server
 * instances: each new connection goes to the instance it points at now, and
 * it can be repointed (after the instance it pointed at died).
 */
export interface SwitchRelay {
  port: number;
  /** Sends new connections to `port` from now on; open ones stay where they are. */
  pointTo(port: number): void;
  close(): Promise<void>;
}

export async function startSwitchRelay(target: number): Promise<SwitchRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    pointTo: (port) => void (target = port),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
