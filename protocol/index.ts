/**
 * The RTC protocol as both sides of rtm-kit read it: message types, codes,
 * constants and pure checks, with no I/O and no dependency on a DOM or on
 * Node. The client and the reference server import this one module, so a
 * fact about the wire is written once.
 * @packageDocumentation
 */
export * from './messages.js';
export * from './channels.js';
export * from './resources.js';
export * from './extensions.js';
export * from './position.js';
export * from './filter.js';
export * from './filter-merge.js';
export * from './quote.js';
