// What the vendored stories import from the SDK's sources ("../../../src"): the published package's same exports.
import { sdk } from '../sdk.js';

export const field = sdk.field;
