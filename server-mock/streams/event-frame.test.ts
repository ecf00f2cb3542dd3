import { describe, expect, it } from 'vitest';
import { plainFrame } from './event-frame.js';

const data = { action: 'created', resource: { type: 'ds', name: 'orders' }, modifier: { id: 'api' }, timestamp: '2026-11-27T12:00:00.000Z', data: [{ id: 1 }] };

describe('plainFrame', () => {
  it('cuts offset and epoch off a stored frame, leaving exactly RTC’s event', () => {
    const event = { offset: 7, epoch: 'e"1', action: 'created', frame: JSON.stringify({ type: 'event', data: { ...data, offset: 7, epoch: 'e"1' } }) };
    expect(JSON.parse(plainFrame(event))).toEqual({ type: 'event', data });
    expect(plainFrame(event)).toBe(plainFrame(event));
  });

  it('strips them from a frame that holds them elsewhere too, instead of cutting the wrong tail', () => {
    const event = { offset: 7, epoch: 'e1', action: 'created', frame: JSON.stringify({ type: 'event', data: { offset: 7, epoch: 'e1', ...data } }) };
    expect(JSON.parse(plainFrame(event))).toEqual({ type: 'event', data });
  });
});
