import * as assert from 'node:assert/strict';
import { decimalToDouble } from '../../src/core/runs/decimal';
import { parseNumber } from '../../src/core/runs/fastMetric';

/** The history reader's number for `text`, which must be the one JSON.parse gives. */
function expectSame(text: string): void {
  const bytes = Buffer.from(text);
  const read = parseNumber(bytes, 0, bytes.length);
  assert.ok(Object.is(read, JSON.parse(text)), `${text} read as ${read}, JSON.parse gives ${JSON.parse(text)}`);
}

/** A deterministic stream of doubles from random bit patterns (xorshift), finite ones only. */
function* randomDoubles(count: number, seed: number): Generator<number> {
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const bits = new Uint32Array(2);
  const value = new Float64Array(bits.buffer);
  for (let made = 0; made < count; ) {
    bits[0] = next();
    bits[1] = next();
    if (Number.isFinite(value[0])) {
      made++;
      yield value[0];
    }
  }
}

/** JSON's spelling of a number JavaScript wrote (it writes "1e+21" and "1e-7", which JSON also accepts). */
function written(value: number, precision?: number): string {
  return precision === undefined ? String(value) : value.toPrecision(precision);
}

describe('history numbers read from their digits', () => {
  it('read every double exactly from its shortest text and from 16 to 21 significant digits', () => {
    for (const value of randomDoubles(20_000, 0x9e3779b9)) {
      expectSame(written(value));
      for (const precision of [16, 17, 18, 19, 21]) expectSame(written(value, precision));
    }
  });

  it('read losses as a training script logs them (Python repr of values between 1e-9 and 1e3), signs included', () => {
    for (const bits of randomDoubles(20_000, 12345)) {
      const loss = Math.abs(bits % 1) * 10 ** ((Math.abs(bits) % 12) - 9);
      for (const value of [loss, -loss]) {
        expectSame(written(value));
        expectSame(written(value, 17));
      }
    }
  });

  it('round correctly next to the midpoint between two doubles, and at exact ties', () => {
    for (const value of randomDoubles(5_000, 777)) {
      const magnitude = Math.abs(value) % 1e6 || 1;
      const next = new Float64Array([magnitude]);
      const words = new Uint32Array(next.buffer);
      words[0] += 1;
      const midpoint = (magnitude + next[0]) / 2;
      for (const precision of [17, 18, 19]) expectSame(written(midpoint, precision));
    }
    for (const tie of ['9007199254740993', '9007199254740995', '0.30000000000000004', '2.2250738585072014e-308', '18014398509481985']) expectSame(tie);
  });

  it('leave what they cannot decide cheaply to the text (NaN), and decide the rest', () => {
    assert.equal(decimalToDouble(123, 0, 0, -2), 1.23);
    assert.equal(decimalToDouble(333333333333333, 3, 1, -16), 0.3333333333333333);
    assert.ok(Number.isNaN(decimalToDouble(1, 0, 0, 23)), 'a power of ten beyond 10^22 is not exact');
    assert.ok(Number.isNaN(decimalToDouble(900719925474099, 3, 2, 5)), 'a long mantissa times a power of ten');
    for (const text of ['-1.2345678901234567890123', '1e-300', '-4.9e-324', '1.7976931348623157e308', '123456789012345678901234']) expectSame(text);
  });

  it('refuse what JSON refuses, four digits at a time too', () => {
    for (const text of ['0123', '-01', '00.5', '1.', '.5', '1234.', '12345678.e5', '1e', '--1', '0x1234', '1234a678']) {
      const bytes = Buffer.from(text);
      assert.ok(Number.isNaN(parseNumber(bytes, 0, bytes.length)), `"${text}" should not be a number`);
    }
    for (const text of ['0', '-0', '0.0001234', '12345678', '1234.5678', '10.05', '100000000000000000000']) expectSame(text);
  });
});
