// jexia-sdk-js's own end-to-end story for dataset events (e2e/stories/rtc/rtc.e2e.ts), run against rtm-server.
import './jexia-stories/jest-globals.js';

await import('./jexia-stories/e2e/stories/rtc/rtc.e2e.js');
