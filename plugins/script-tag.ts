/** What the script-tag bundle puts under the global `RTM`: the client and the widgets. */
export * from '../client/index.js';
export * from './index.js';
