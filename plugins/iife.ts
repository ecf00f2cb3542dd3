/** Entry of the script-tag bundle: the client and the widgets under the global `RTM`. */
import { start } from './elements.js';

export * from '../client/index.js';
export * from './index.js';

if (typeof document !== 'undefined') start();
