// A fast path for the one line shape that makes up almost every history: the metric line exactly as
// runtime/gradlab/runs.py writes it,
//   {"type":"metric","run":"<id>","step":<int>,"t":<number>,"metrics":{"<name>":<number>,...}}
// read straight from the bytes, without building a string or an object per line, its end found while reading it (a
// 1M-point history parses in about a third of JSON.parse's time here). Anything else (other records, null values,
// escapes, other key orders, whitespace) is declined and goes through JSON.parse, so both paths give the same numbers
// (test/unit/runs-parser.test.ts compares them).
import { decimalToDouble } from './decimal';

/** Bytes to look for, compared four at a time (as little-endian 32-bit words) and then the last 0-3 one by one. */
class Pattern {
  readonly length: number;
  private readonly words: Int32Array;
  private readonly tail: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.length = bytes.length;
    const whole = bytes.length >> 2;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.words = Int32Array.from({ length: whole }, (_, w) => view.getInt32(4 * w, true));
    this.tail = bytes.slice(4 * whole);
  }

  /** Whether buf[p, p + length) holds the bytes (view: a DataView of buf). */
  at(view: DataView, buf: Uint8Array, p: number, end: number): boolean {
    if (p + this.length > end) return false;
    const words = this.words;
    for (let w = 0; w < words.length; w++) if (view.getInt32(p + 4 * w, true) !== words[w]) return false;
    const tail = this.tail;
    const from = p + 4 * words.length;
    for (let i = 0; i < tail.length; i++) if (buf[from + i] !== tail[i]) return false;
    return true;
  }
}

const PREFIX = new Pattern(ascii('{"type":"metric","run":"'));
const STEP = new Pattern(ascii('","step":'));
const T = new Pattern(ascii(',"t":'));
const METRICS = new Pattern(ascii(',"metrics":{'));
const NO_PATTERN = new Pattern(new Uint8Array(0));

const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE = 0x7d;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

/** The scanner's output for one line; names and values are reused between lines (read them before the next scan). */
export class FastMetric {
  run = '';
  step = 0;
  t = NaN;
  count = 0;
  readonly names: string[] = [];
  values = new Float64Array(16);
  private runBytes = NO_PATTERN;
  private readonly keyBytes: Pattern[] = [];
  private viewOf: Buffer | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  /**
   * Reads the line starting at `start`, before its end is known: the index of its newline when it is a metric line of
   * the fast shape (\n or \r\n ending it before `end`), else -1. Nothing it reads crosses a newline (names stop at
   * control characters, numbers at anything else), so a line that is not of the shape is left whole to the caller.
   */
  scanLine(buf: Buffer, start: number, end: number): number {
    if (buf !== this.viewOf) {
      this.viewOf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const view = this.view;
    let p = start;
    if (!PREFIX.at(view, buf, p, end)) return -1;
    p += PREFIX.length;
    const runEnd = stringEnd(view, buf, p, end, this.runBytes);
    if (runEnd < 0) return -1;
    if (!cacheHit) {
      this.runBytes = new Pattern(Uint8Array.prototype.slice.call(buf, p, runEnd));
      this.run = buf.toString('latin1', p, runEnd);
    }
    p = runEnd;
    if (!STEP.at(view, buf, p, end)) return -1;
    const step = readNumber(view, buf, p + STEP.length, end);
    if (!Number.isInteger(step)) return -1;
    p = numberEnd;
    if (!T.at(view, buf, p, end)) return -1;
    const t = readNumber(view, buf, p + T.length, end);
    if (Number.isNaN(t)) return -1;
    p = numberEnd;
    if (!METRICS.at(view, buf, p, end)) return -1;
    p += METRICS.length;
    let count = 0;
    if (buf[p] === CLOSE) p++;
    else {
      for (;;) {
        if (buf[p] !== QUOTE) return -1;
        const keyEnd = stringEnd(view, buf, p + 1, end, this.keyBytes[count] ?? NO_PATTERN);
        if (keyEnd < 0 || buf[keyEnd + 1] !== 0x3a) return -1;
        if (!cacheHit) {
          this.keyBytes[count] = new Pattern(Uint8Array.prototype.slice.call(buf, p + 1, keyEnd));
          this.names[count] = buf.toString('latin1', p + 1, keyEnd);
        }
        const value = readNumber(view, buf, keyEnd + 2, end);
        if (Number.isNaN(value)) return -1; // null, or not a number: the slow path decides
        if (count === this.values.length) {
          const grown = new Float64Array(count * 2);
          grown.set(this.values);
          this.values = grown;
        }
        this.values[count++] = value;
        p = numberEnd;
        if (buf[p] === COMMA) p++;
        else if (buf[p] === CLOSE) {
          p++;
          break;
        } else return -1;
      }
    }
    if (buf[p] !== CLOSE) return -1; // e.g. a "nonFinite" member follows
    let newline = p + 1;
    if (buf[newline] === 0x0d) newline++;
    if (newline >= end || buf[newline] !== NEWLINE) return -1;
    this.step = step;
    this.t = t;
    this.count = count;
    return newline;
  }
}

/** Where the last readNumber stopped. */
let numberEnd = 0;
/** Whether the last stringEnd matched its cached bytes. */
let cacheHit = false;

/**
 * A JSON number in buf[start, end), or NaN when the bytes are not one. Converted exactly from the digits
 * (decimal.ts); only the rare number that needs more than a cheap computation goes through Number() on its text.
 */
export function parseNumber(buf: Buffer, start: number, end: number): number {
  const value = readNumber(new DataView(buf.buffer, buf.byteOffset, buf.byteLength), buf, start, end);
  return numberEnd === end ? value : NaN;
}

/** The JSON number starting at start (NaN when there is none); sets numberEnd to the byte after it. */
function readNumber(view: DataView, buf: Buffer, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === MINUS;
  if (negative) i++;
  // The significant digits: the first 15 in `high` (exact), up to 4 more in `low`; more than that is left to Number().
  let high = 0;
  let digits = 0;
  let low = 0;
  let lowDigits = 0;
  const integerStart = i;
  if (buf[i] === ZERO) i++; // JSON's integer part is 0 or starts with 1-9
  else {
    for (; digits <= 11 && i + 4 <= end; i += 4) {
      const word = view.getInt32(i, true);
      if (!fourDigits(word)) break;
      high = high * 10000 + fourDigitsValue(word);
      digits += 4;
    }
    for (; i < end; i++) {
      const d = buf[i] - ZERO;
      if (d >>> 0 > 9) break;
      if (digits < 15) high = high * 10 + d;
      else {
        low = low * 10 + d;
        lowDigits++;
      }
      digits++;
    }
  }
  numberEnd = i;
  if (i === integerStart) return NaN;
  let scale = 0;
  if (buf[i] === DOT) {
    const fractionStart = ++i;
    if (digits === 0) while (i < end && buf[i] === ZERO) i++; // zeros before the first significant digit
    for (; digits <= 11 && i + 4 <= end; i += 4) {
      const word = view.getInt32(i, true);
      if (!fourDigits(word)) break;
      high = high * 10000 + fourDigitsValue(word);
      digits += 4;
    }
    for (; i < end; i++) {
      const d = buf[i] - ZERO;
      if (d >>> 0 > 9) break;
      if (digits < 15) high = high * 10 + d;
      else {
        low = low * 10 + d;
        lowDigits++;
      }
      digits++;
    }
    numberEnd = i;
    if (i === fractionStart) return NaN;
    scale = fractionStart - i;
  }
  const e = buf[i];
  if (e === 0x65 || e === 0x45) {
    i++;
    let negativeExponent = false;
    if (buf[i] === MINUS || buf[i] === 0x2b) negativeExponent = buf[i++] === MINUS;
    const exponentStart = i;
    let exponent = 0;
    for (; i < end; i++) {
      const d = buf[i] - ZERO;
      if (d >>> 0 > 9) break;
      exponent = exponent * 10 + d;
    }
    if (i === exponentStart) return NaN;
    scale += negativeExponent ? -exponent : exponent;
    numberEnd = i;
  }
  const value = lowDigits <= 4 ? decimalToDouble(high, low, lowDigits, scale) : NaN;
  if (value !== value) return Number(buf.toString('latin1', start, i)); // the text carries its sign
  return negative ? -value : value;
}

/** Whether the four bytes of a little-endian word are all ASCII digits. */
function fourDigits(word: number): boolean {
  return (word & 0xf0f0f0f0) === 0x30303030 && ((word + 0x06060606) & 0xf0f0f0f0) === 0x30303030;
}

/** The value of four ASCII digits read as a little-endian word (the first digit is the lowest byte). */
function fourDigitsValue(word: number): number {
  const v = word - 0x30303030;
  const pairs = (v * 10 + (v >>> 8)) & 0x00ff00ff;
  return (pairs & 0xff) * 100 + (pairs >>> 16);
}

/** The closing quote of a plain string starting at p: where `cached` says (when it matches) or found by scanning; -1
 * for escapes, non-ASCII or control characters. */
function stringEnd(view: DataView, buf: Buffer, p: number, end: number, cached: Pattern): number {
  const after = p + cached.length;
  if (cached.length > 0 && after < end && buf[after] === QUOTE && cached.at(view, buf, p, end)) {
    cacheHit = true;
    return after;
  }
  cacheHit = false;
  for (; p < end; p++) {
    const c = buf[p];
    if (c === QUOTE) return p;
    if (c === BACKSLASH || c >= 0x80 || c < 0x20) return -1;
  }
  return -1;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
