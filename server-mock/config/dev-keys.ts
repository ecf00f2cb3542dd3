import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';

/** The secret and API key a development server generated, and where they are kept. */
export interface DevKeys {
  secret: string;
  apiKey: string;
}

/** Where `rtm-server` keeps its development keys unless told otherwise: the OS temp folder, one file per user. */
export function defaultDevKeysFile(): string {
  return join(tmpdir(), `rtm-kit-dev-keys-${process.getuid?.() ?? 'user'}.json`);
}

/**
 * The development secret and API key kept in `file`, or new ones (kept there, readable by the owner only) when
 * there are none yet or `fresh` asks for new ones. A restarted development server thus accepts the tokens it
 * issued before, and open pages reconnect instead of being refused. A file that exists but holds something else
 * is never overwritten without `fresh`.
 */
export function loadDevKeys(file: string, fresh: boolean): DevKeys {
  if (!fresh) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`cannot read dev keys file ${file}: ${(error as Error).message}`);
    }
    if (text !== undefined) {
      let kept: Partial<DevKeys> | undefined;
      try {
        kept = JSON.parse(text) as Partial<DevKeys>;
      } catch {
        // Reported below.
      }
      if (typeof kept?.secret === 'string' && kept.secret.length >= 32 && typeof kept.apiKey === 'string' && kept.apiKey !== '') return { secret: kept.secret, apiKey: kept.apiKey };
      throw new ConfigError(`${file} holds no dev keys: pass --dev-fresh to replace it, or --dev-keys <another file>`);
    }
  }
  const keys: DevKeys = { secret: randomBytes(32).toString('base64url'), apiKey: randomBytes(24).toString('base64url') };
  mkdirSync(dirname(file), { recursive: true });
  // Written aside and renamed: a server starting at the same moment reads the old file or the new one, never half of one.
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  renameSync(partial, file);
  return keys;
}
