// Decimal digits to the nearest double without building a string: the history reader's numbers. Python writes a float
// as the shortest text that reads back to it, often 16 or 17 significant digits; Number() on a string made for each
// took a quarter of a large history's load. Here:
//   - a mantissa below 2^53 and a power of ten within 10^±22 are exact doubles, and one multiplication or division
//     of exact doubles rounds correctly (Clinger's fast path);
//   - a longer mantissa (up to 19 digits) is held exactly as a sum of two doubles and divided by the power of ten
//     with about 100 bits of precision; the double it rounds to is the answer unless the quotient lies within a tiny
//     distance of the midpoint between two doubles, where the caller falls back to Number() on the text.

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const TWO_53 = 2 ** 53;
/** Dekker's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729;
/** How close to a midpoint (in units in the last place) the long division is not trusted: far above its error of
 * about 2^-49 ulp. */
const MIDPOINT_GUARD = 2 ** -40;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the word holding sign and exponent

/**
 * The double nearest to (high * 10^lowDigits + low) * 10^scale, for high < 10^15, low < 10^lowDigits and
 * lowDigits <= 4; NaN when this cannot decide it cheaply (parse the text instead).
 */
export function decimalToDouble(high: number, low: number, lowDigits: number, scale: number): number {
  if (scale < -22 || scale > 22) return NaN;
  const mantissa = lowDigits === 0 ? high : high * POW10[lowDigits] + low;
  // Below 2^53 every step above was exact (a rounded sum at or above 2^53 means the true one is not below it).
  if (mantissa < TWO_53) return scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
  return scale < 0 ? longQuotient(high, low, lowDigits, POW10[-scale]) : NaN;
}

/** (high * 10^lowDigits + low) / divisor, rounded to nearest, or NaN near a midpoint. */
function longQuotient(high: number, low: number, lowDigits: number, divisor: number): number {
  // The mantissa exactly, as mh + ml: high * 10^lowDigits by Dekker's product, then low added (all integers).
  const ph = high * POW10[lowDigits];
  const pl = productError(high, POW10[lowDigits], ph);
  const s = ph + low;
  const sl = low - (s - ph) + pl; // exact: small integers
  const mh = s + sl;
  const ml = sl - (mh - s);
  // Long division: q1 + q2 is the quotient to about 2^-100 relative.
  const q1 = mh / divisor;
  const p1 = q1 * divisor;
  const remainder = mh - p1 - productError(q1, divisor, p1) + ml;
  const q2 = remainder / divisor;
  const result = q1 + q2;
  const below = q2 - (result - q1); // the part of q1 + q2 that rounding to `result` left out
  bits[0] = result;
  const high32 = words[HIGH];
  const exponent = (high32 >>> 20) & 0x7ff;
  if ((high32 & 0xfffff) === 0 && words[1 - HIGH] === 0) return NaN; // a power of two: its lower neighbour is nearer
  words[HIGH] = (exponent - 52) << 20;
  words[1 - HIGH] = 0;
  const halfUlp = bits[0] / 2;
  return Math.abs(halfUlp - Math.abs(below)) <= halfUlp * MIDPOINT_GUARD ? NaN : result;
}

/** a * b - product exactly, where product = fl(a * b) (Dekker's two-product without a fused multiply-add). */
function productError(a: number, b: number, product: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - product + ah * bl + al * bh + al * bl;
}
