export { MESSAGE } from 'jexia-sdk-js/config/message.js';
