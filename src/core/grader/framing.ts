// Content-Length framing for the worker's stdio (see src/protocol/worker.ts). Bytes may arrive split
// anywhere, including inside the header or a multi-byte character, so we buffer raw bytes.

const HEADER_END = Buffer.from('\r\n\r\n');

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}

export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  /** Feed bytes; returns every complete message. Throws on a malformed header (a corrupted channel). */
  push(chunk: Buffer): unknown[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const messages: unknown[] = [];
    for (;;) {
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        if (this.buffer.length > 1024) throw new Error('worker channel corrupted: no frame header in 1 KiB');
        break;
      }
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const match = /^Content-Length: (\d+)$/i.exec(header.trim());
      if (!match) throw new Error(`worker channel corrupted: bad frame header ${JSON.stringify(header.slice(0, 80))}`);
      const length = Number(match[1]);
      const start = headerEnd + HEADER_END.length;
      if (this.buffer.length < start + length) break;
      messages.push(JSON.parse(this.buffer.subarray(start, start + length).toString('utf8')));
      this.buffer = this.buffer.subarray(start + length);
    }
    return messages;
  }
}
