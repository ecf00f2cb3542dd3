// Per-file setup shared by the client's unit tests: one scripted server per test, clients closed after it.
import { afterEach, beforeEach, expect } from 'vitest';
import WebSocket from 'ws';
import { createClient, type ClientOptions, type RtmClient } from './client.js';
import { RtmError } from './errors.js';
import { fakeEnvironment, startScriptedServer, type ScriptedServer } from './scripted-server.test-util.js';

export function useScriptedServer() {
  const ctx = { server: undefined as unknown as ScriptedServer, environment: fakeEnvironment(), clients: [] as RtmClient[] };
  beforeEach(async () => {
    ctx.server = await startScriptedServer();
    ctx.environment = fakeEnvironment();
  });
  afterEach(async () => {
    for (const client of ctx.clients) client.close();
    ctx.clients = [];
    await ctx.server.close();
  });
  const connect = (options: Partial<ClientOptions> = {}): RtmClient => {
    const client = createClient({
      url: ctx.server.url,
      token: 'secret-token',
      WebSocket,
      reconnect: { minDelay: 10, maxDelay: 40 },
      environment: ctx.environment.source,
      ...options,
    });
    ctx.clients.push(client);
    return client;
  };
  return { ctx, connect };
}

/** The RtmError a call threw or rejected with (fails the test when it did neither). */
export async function errorOf(call: () => unknown): Promise<RtmError> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(RtmError);
    return error as RtmError;
  }
  throw new Error('expected the call to fail');
}
