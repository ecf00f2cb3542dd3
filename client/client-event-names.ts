/**
 * The names of the client's own events (`client.on(name, …)`). A channel refuses them as message event names in
 * `channel.on(name, …)`: `channel.on('error', h)` would read as "this channel's errors" while it would filter the
 * messages published under the name "error". The list lives apart from client.ts so that channel.ts can check it
 * without importing the client.
 */
export const CLIENT_EVENT_NAMES = ['state', 'error', 'notification', 'token', 'recovery', 'transport', 'direct'] as const;
