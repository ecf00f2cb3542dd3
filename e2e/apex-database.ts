import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { base } from './widgets-page.js';

/**
 * The database side of the APEX stand-in: what rtm_plugin (plugins/apex/rtm_plugin.sql) does for the plug-ins'
 * Ajax callback and the Broadcast Process, done here over the same REST API, since no Oracle database runs in this
 * repository. It answers the stand-in's POST /__apex/ajax and /__apex/submit (e2e/fixtures/apex-standin.js).
 */

type Attributes = Record<string, string | null | undefined>;

/** One debug-log line per failure the process logged (On Error = LOG), as apex_debug.error would. */
export interface Database {
  debugLog: string[];
}

const onErrorOf = (value: string | null | undefined): string => (['RAISE', 'LOG', 'IGNORE'].includes(String(value)) ? String(value) : 'LOG');

/** POST <base>/api/broadcast with the API key, as rtm_api.broadcast; throws on a failure or a non-2xx answer. */
async function restBroadcast(baseUrl: string, channel: string, eventName: string | null, payload: unknown): Promise<void> {
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/api/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': process.env.RTM_E2E_API_KEY! },
    body: JSON.stringify({ channel, eventName, payload }),
  });
  if (!response.ok) throw new Error(`ORA-20102: rtm_api: /api/broadcast answered HTTP ${response.status}`);
}

/** payload_of: the page's object without itemName, then {itemName, value} from the plug-in's own attribute. */
function payloadOf(json: string | undefined, item: string | null | undefined, value: unknown): Record<string, unknown> {
  const payload = JSON.parse(json || '{}') as Record<string, unknown>;
  delete payload.itemName;
  if (item) Object.assign(payload, { itemName: item, value });
  return payload;
}

/**
 * Stands in for the database on `page`. `process` is a Broadcast Process's attributes, run on each page submit
 * (apex.page.submit) as rtm_plugin.execute_process runs it: the submit fails only when the push fails with On Error
 * = RAISE.
 */
export async function standInDatabase(page: Page, options: { process?: Attributes; sessionState?: Record<string, string> } = {}): Promise<Database> {
  const database: Database = { debugLog: [] };
  await page.route('**/__apex/ajax', async (route) => {
    const { action, data } = JSON.parse(route.request().postData()!) as { action: Attributes; data: Record<string, string> };
    const onError = onErrorOf(action.attribute06);
    try {
      await restBroadcast(action.attribute02 || base(), action.attribute03!, action.attribute04 ?? null, payloadOf(data.x02, action.attribute05, data.x03));
      await route.fulfill({ json: { status: 'OK' } });
    } catch (error) {
      if (onError === 'RAISE') return route.fulfill({ status: 500, body: String(error) });
      if (onError === 'LOG') database.debugLog.push(`RTM - Broadcast failed: ${String(error)}`);
      await route.fulfill({ json: onError === 'LOG' ? { status: 'ERROR', message: String(error) } : { status: 'IGNORED' } });
    }
  });
  await page.route('**/__apex/submit', async (route) => {
    const process = options.process ?? {};
    try {
      const value = process.attribute05 ? (options.sessionState?.[process.attribute05] ?? null) : undefined;
      await restBroadcast(process.attribute02 || base(), process.attribute03!, process.attribute04 ?? null, payloadOf(undefined, process.attribute05, value));
    } catch (error) {
      const onError = onErrorOf(process.attribute06);
      // RAISE: the page submit fails and APEX rolls back the page's changes.
      if (onError === 'RAISE') return route.fulfill({ json: { ok: false, error: String(error) } });
      if (onError === 'LOG') database.debugLog.push(`RTM - Broadcast (Process) failed: ${String(error)}`);
    }
    await route.fulfill({ json: { ok: true } });
  });
  return database;
}

/** The base URL of a server that is down: a port that was just free and is closed again. */
export async function downServerUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/**
 * The JavaScript function rtm_plugin's render functions give APEX for a DA (`entry` is `listener` or `broadcast`),
 * read from the package source: the guard that keeps the page's other dynamic actions running when the rtm-kit
 * script did not load.
 */
export function guardedFunction(entry: 'listener' | 'broadcast', name: string): string {
  const source = readFileSync(fileURLToPath(new URL('../plugins/apex/rtm_plugin.sql', import.meta.url)), 'utf8');
  const literal = /c_guard\s+constant\s+varchar2\(\d+\)\s*:=\s*'((?:[^']|'')*)';/.exec(source);
  if (!literal) throw new Error('rtm_plugin.sql has no c_guard constant');
  return literal[1]!.replace(/''/g, "'").replace('#ENTRY#', entry).replace('#NAME#', name);
}
