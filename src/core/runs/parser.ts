// Turning bytes into history records, for a file read at once and for a live pipe read in chunks alike: lines may
// be split anywhere across chunks (even inside a UTF-8 character), and a line that is not a record is reported
// with its number and the reason while the lines around it still load.
import type { HistoryRecord, NonFiniteKind } from '../../protocol/runs';
import { FastMetric } from './fastMetric';
import { decodeRecord } from './records';

export interface BadLine {
  /** 1-based line number in the file or stream */
  line: number;
  reason: string;
  /** the start of the line, for the message */
  text: string;
}

/** Where parsed records go. `metric` receives every metric line, parsed by the fast path or not. */
export interface RecordHandler {
  metric(
    run: string,
    step: number,
    t: number,
    names: readonly string[],
    values: ArrayLike<number>,
    count: number,
    nonFinite?: Record<string, NonFiniteKind>,
  ): void;
  record(record: Exclude<HistoryRecord, { type: 'metric' }>): void;
  bad(line: BadLine): void;
}

const NEWLINE = 0x0a;
const EXCERPT = 120;

export class HistoryParser {
  /** lines seen so far, blank ones included */
  lines = 0;
  private pending: Buffer | undefined;
  private readonly fast = new FastMetric();
  private readonly names: string[] = [];
  private values = new Float64Array(16);

  constructor(private readonly handler: RecordHandler) {}

  /**
   * Feeds the next chunk; complete lines are handled now, a trailing partial line waits for the next chunk. A metric
   * line of the fast shape is read before its end is searched for (it finds its own end); other lines are found first.
   */
  push(bytes: Uint8Array): void {
    const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let start = 0;
    if (this.pending) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.pending = Buffer.concat([this.pending, chunk]);
        return;
      }
      const line = Buffer.concat([this.pending, chunk.subarray(0, newline + 1)]);
      this.pending = undefined;
      if (this.fast.scanLine(line, 0, line.length) < 0) this.line(line, 0, line.length - 1);
      else this.fastMetric();
      start = newline + 1;
    }
    while (start < chunk.length) {
      const fastEnd = this.fast.scanLine(chunk, start, chunk.length);
      if (fastEnd >= 0) {
        this.fastMetric();
        start = fastEnd + 1;
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0) break;
      this.line(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.pending = Buffer.from(chunk.subarray(start));
  }

  /** The input ended: a last line without a newline is still read (a writer killed mid-line leaves one). */
  end(): void {
    const rest = this.pending;
    this.pending = undefined;
    if (rest && rest.length > 0) this.line(rest, 0, rest.length, true);
  }

  private fastMetric(): void {
    this.lines++;
    const f = this.fast;
    this.handler.metric(f.run, f.step, f.t, f.names, f.values, f.count);
  }

  /** A line that is not a metric line of the fast shape (or is the last one, without its newline). */
  private line(buf: Buffer, start: number, end: number, unterminated = false): void {
    this.lines++;
    const text = buf.toString('utf8', start, end).trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = unterminated
        ? 'the last line is incomplete (the writer stopped in the middle of it)'
        : `not JSON (${(error as Error).message})`;
      this.handler.bad({ line: this.lines, reason, text: text.slice(0, EXCERPT) });
      return;
    }
    const record = decodeRecord(value);
    if (typeof record === 'string') this.handler.bad({ line: this.lines, reason: record, text: text.slice(0, EXCERPT) });
    else if (record.type === 'metric') this.slowMetric(record);
    else this.handler.record(record);
  }

  private slowMetric(record: Extract<HistoryRecord, { type: 'metric' }>): void {
    const entries = Object.entries(record.metrics);
    if (entries.length > this.values.length) this.values = new Float64Array(entries.length * 2);
    let count = 0;
    for (const [name, value] of entries) {
      this.names[count] = name;
      this.values[count++] = value ?? NaN;
    }
    this.handler.metric(record.run, record.step, record.t ?? NaN, this.names, this.values, count, record.nonFinite);
  }
}
