import { startServer } from './server.js';

/** One reference server for the whole suite; its address and keys reach the tests through the environment. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServer();
  process.env.RTM_E2E_URL = server.url;
  process.env.RTM_E2E_API_KEY = server.apiKey;
  process.env.RTM_E2E_SECRET = server.secret;
  return () => server.stop();
}
