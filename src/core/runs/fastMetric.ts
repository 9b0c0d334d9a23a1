// A fast path for the one line shape that makes up almost every history: the metric line exactly as
// runtime/gradlab/runs.py writes it,
//   {"type":"metric","run":"<id>","step":<int>,"t":<number>,"metrics":{"<name>":<number>,...}}
// read straight from the bytes, without building a string or an object per line (JSON.parse of a
// million-point history took ~2x longer here). Anything else (other records, null values, escapes, other key
// orders, whitespace) returns false and goes through JSON.parse, so both paths give the same numbers.

const PREFIX = ascii('{"type":"metric","run":"');
const STEP = ascii('","step":');
const T = ascii(',"t":');
const METRICS = ascii(',"metrics":{');
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const QUOTE = 0x22;
const COMMA = 0x2c;
const CLOSE = 0x7d;
const BACKSLASH = 0x5c;

/** The scanner's output for one line; names and values are reused between lines (read them before the next scan). */
export class FastMetric {
  run = '';
  step = 0;
  t = NaN;
  count = 0;
  readonly names: string[] = [];
  values = new Float64Array(16);
  private runBytes: Uint8Array = new Uint8Array(0);
  private readonly keyBytes: Uint8Array[] = [];

  /** Reads buf[start, end) (one line without its newline); false when the line is not of the fast shape. */
  scan(buf: Uint8Array, start: number, end: number): boolean {
    if (end > start && buf[end - 1] === 0x0d) end--;
    let p = start;
    if (!matches(buf, p, end, PREFIX)) return false;
    p += PREFIX.length;
    const runEnd = scanPlainString(buf, p, end);
    if (runEnd < 0) return false;
    if (!sameBytes(buf, p, runEnd, this.runBytes)) {
      this.runBytes = buf.slice(p, runEnd);
      this.run = latin1(buf, p, runEnd);
    }
    p = runEnd;
    if (!matches(buf, p, end, STEP)) return false;
    p += STEP.length;
    let q = numberEnd(buf, p, end);
    const step = parseNumber(buf, p, q);
    if (!Number.isInteger(step)) return false;
    p = q;
    if (!matches(buf, p, end, T)) return false;
    p += T.length;
    q = numberEnd(buf, p, end);
    const t = parseNumber(buf, p, q);
    if (Number.isNaN(t)) return false;
    p = q;
    if (!matches(buf, p, end, METRICS)) return false;
    p += METRICS.length;
    let count = 0;
    if (buf[p] === CLOSE) p++;
    else {
      for (;;) {
        if (buf[p] !== QUOTE) return false;
        const keyEnd = scanPlainString(buf, p + 1, end);
        if (keyEnd < 0 || buf[keyEnd + 1] !== 0x3a) return false;
        this.setName(count, buf, p + 1, keyEnd);
        p = keyEnd + 2;
        q = numberEnd(buf, p, end);
        const value = parseNumber(buf, p, q);
        if (Number.isNaN(value)) return false; // null, or not a number: the slow path decides
        if (count === this.values.length) {
          const grown = new Float64Array(count * 2);
          grown.set(this.values);
          this.values = grown;
        }
        this.values[count++] = value;
        p = q;
        if (buf[p] === COMMA) p++;
        else if (buf[p] === CLOSE) {
          p++;
          break;
        } else return false;
      }
    }
    if (!(p + 1 === end && buf[p] === CLOSE)) return false; // e.g. a "nonFinite" member follows
    this.step = step;
    this.t = t;
    this.count = count;
    return true;
  }

  private setName(index: number, buf: Uint8Array, start: number, end: number): void {
    const cached = this.keyBytes[index];
    if (cached && sameBytes(buf, start, end, cached)) return;
    this.keyBytes[index] = buf.slice(start, end);
    this.names[index] = latin1(buf, start, end);
  }
}

/**
 * A JSON number in buf[start, end), or NaN when the bytes are not one. Up to 15 significant digits and a power of
 * ten within 10^±22 are converted exactly by one multiplication or division (Clinger's fast path); longer
 * numbers (Python's repr often writes 17 digits) go through Number() on the text.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  const firstDigit = i;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  for (; i < end; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    if (mantissa !== 0) digits++;
  }
  if (i === firstDigit) return NaN;
  if (buf[i] === 0x2e) {
    const fractionStart = ++i;
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
      if (mantissa !== 0) digits++;
      scale--;
    }
    if (i === fractionStart) return NaN;
  }
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    i++;
    let negativeExponent = false;
    if (buf[i] === 0x2d || buf[i] === 0x2b) negativeExponent = buf[i++] === 0x2d;
    const exponentStart = i;
    let exponent = 0;
    for (; i < end; i++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      exponent = exponent * 10 + d;
    }
    if (i === exponentStart) return NaN;
    scale += negativeExponent ? -exponent : exponent;
  }
  if (i !== end) return NaN;
  let value: number;
  if (digits > 15 || scale > 22 || scale < -22) value = Number(latin1(buf, start, end));
  else value = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
  return negative && value === value ? -Math.abs(value) : value;
}

/** Where the number starting at p ends: at the next ',' or '}' (or the end of the line). */
function numberEnd(buf: Uint8Array, p: number, end: number): number {
  while (p < end && buf[p] !== COMMA && buf[p] !== CLOSE) p++;
  return p;
}

/** The closing quote of a string with no escapes and only ASCII, or -1. */
function scanPlainString(buf: Uint8Array, p: number, end: number): number {
  for (; p < end; p++) {
    const c = buf[p];
    if (c === QUOTE) return p;
    if (c === BACKSLASH || c >= 0x80 || c < 0x20) return -1;
  }
  return -1;
}

function matches(buf: Uint8Array, p: number, end: number, expected: Uint8Array): boolean {
  if (p + expected.length > end) return false;
  for (let i = 0; i < expected.length; i++) if (buf[p + i] !== expected[i]) return false;
  return true;
}

function sameBytes(buf: Uint8Array, start: number, end: number, bytes: Uint8Array): boolean {
  if (end - start !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
