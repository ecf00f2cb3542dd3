/** Entry of the script-tag bundle: sets the global `RTM` and starts the HTML elements. */
import { start } from './elements.js';
import * as api from './script-tag.js';

declare global {
  /** rtm-kit's client and widgets, set by the script-tag bundle (`dist/rtm.iife.min.js`, or `import 'rtm-kit/iife'`). */
  var RTM: typeof import('./script-tag.js');
}

// Set on globalThis rather than through a top-level `var`, so a bundler that wraps the file in a module scope
// (`import 'rtm-kit/iife'`) defines the global too.
globalThis.RTM = api;
if (typeof document !== 'undefined') start();
