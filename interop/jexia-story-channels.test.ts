// jexia-sdk-js's own end-to-end story for realtime channels (e2e/stories/rtc/channels.e2e.ts), run against rtm-server.
import './jexia-stories/jest-globals.js';

await import('./jexia-stories/e2e/stories/rtc/channels.e2e.js');
