import * as assert from 'node:assert/strict';
import { FrameDecoder, encodeFrame } from '../../src/core/grader/framing';

describe('worker framing', () => {
  it('round-trips messages with multi-byte characters', () => {
    const message = { id: 7, method: 'check', params: { text: 'grad_w ≈ ½·numeric — ✓', n: [1, 2.5, null] } };
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(encodeFrame(message)), [message]);
  });

  it('reassembles frames split anywhere, byte by byte', () => {
    const messages = [{ id: 1, result: 'é' }, { id: 2, result: { nested: ['ü', 3] } }, { method: 'log', params: { level: 'info', message: 'x' } }];
    const bytes = Buffer.concat(messages.map(encodeFrame));
    const decoder = new FrameDecoder();
    const got: unknown[] = [];
    for (let i = 0; i < bytes.length; i++) got.push(...decoder.push(bytes.subarray(i, i + 1)));
    assert.deepEqual(got, messages);
  });

  it('returns several frames delivered in one chunk', () => {
    const decoder = new FrameDecoder();
    assert.equal(decoder.push(Buffer.concat([encodeFrame(1), encodeFrame(2), encodeFrame(3)])).length, 3);
  });

  it('refuses a corrupted channel instead of guessing', () => {
    const decoder = new FrameDecoder();
    assert.throws(() => decoder.push(Buffer.from('passed!\r\n\r\n{}')), /bad frame header/);
    assert.throws(() => new FrameDecoder().push(Buffer.alloc(2000, 'x')), /no frame header/);
  });
});
