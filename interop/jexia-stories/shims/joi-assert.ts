// joi-assert 0.0.3 as the vendored stories use it: throws when `value` does not match `schema`.
import Joi from 'joi';

export default function joiAssert(value: unknown, schema: Joi.Schema): void {
  Joi.assert(value, schema);
}
