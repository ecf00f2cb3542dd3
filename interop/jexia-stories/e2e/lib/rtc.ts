// @ts-nocheck
// Vendored unchanged from jexia/jexia-sdk-js@a65cb64 (5.12.0 + lockfile), e2e/lib/rtc.ts (MIT, see interop/jexia-stories/LICENSE);
// only the import lines differ: faker and joi-assert point at small shims, and require() became import.
import * as Joi from "joi";

export const RTCActionSchema = Joi.string().valid("created", "updated", "deleted");

export const RTCResourceSchema = Joi.object().keys({
  type: Joi.string().valid("ds", "fs").required(),
  name: Joi.string().required(),
});

export const RTCRecordSchema = Joi.object().keys({
  id: Joi.string().uuid().required(),
});

export const RTCMessageSchema = Joi.object().keys({
  action: RTCActionSchema.required(),
  resource: RTCResourceSchema.required(),
  modifier: Joi.object().keys({
    id: Joi.string().required(),
  }).required(),
  timestamp: Joi.string().isoDate().required(),
  data: Joi.array().items(RTCRecordSchema).required(),
});

export const RTCChannelMessageSchema = Joi.object().keys({
  action: Joi.string().valid("published"),
  resource: Joi.object().keys({
    type: Joi.string().valid("channel").required(),
    name: Joi.string().required(),
  }),
  modifier: Joi.object().keys({
    id: Joi.string().required(),
  }).required(),
  timestamp: Joi.string().isoDate().required(),
  data: Joi.any().required(),
});

export const RTCChannelStoredMessageSchema = Joi.object().keys({
  id: Joi.string().uuid().required(),
  sender_id: Joi.string().uuid().required(),
  sender_type: Joi.string().valid("apk", "ums").required(),
  created_at: Joi.string().isoDate().required(),
  updated_at: Joi.string().isoDate().required(),
  data: Joi.any().required(),
});
