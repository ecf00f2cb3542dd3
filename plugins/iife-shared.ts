/**
 * Entry of the shared script-tag bundle (`dist/rtm-shared.iife.min.js`): the
 * global `RTM` with everything of `rtm.iife.min.js`, plus the shared mode:
 * `RTM.configure({ shared: true })`, `<rtm-connection shared>` and
 * `RTM.createClient({ shared: true })`. Load it instead of `rtm.iife.min.js`;
 * `rtm-shared-worker.js` must be next to it.
 */
import { enableShared } from './connection.js';
import { start } from './elements.js';
import * as api from './script-tag-shared.js';

(globalThis as { RTM?: unknown }).RTM = api;
enableShared(api.createClient);
if (typeof document !== 'undefined') start();
