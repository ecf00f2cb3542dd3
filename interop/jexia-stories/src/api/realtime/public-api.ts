// The stories import these as types only.
export type { RealTimeEventMessage } from 'jexia-sdk-js/api/realtime/realTime.interfaces.js';
export type { Channel } from 'jexia-sdk-js/api/realtime/channel.js';
