// The one copy of jexia-sdk-js a story file and its teardowns share.
import { loadSdk } from '../jexia-sdk.test-util.js';

export const sdk = loadSdk();
