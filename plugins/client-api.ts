/**
 * The client's public API as the widgets use it, imported here only: `rtm-kit/plugins`, built with the client left
 * out, then imports the client once rather than once per widget module.
 */
export { createClient, RtcErrorCode, RtmError, UnauthorizedError } from '../client/index.js';
