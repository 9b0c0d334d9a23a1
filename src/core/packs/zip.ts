// Zip archives from people we do not control (packs, and later students' submissions), opened safely:
// every entry's name, type and size is checked before anything is written, and decompression is metered
// as it runs, because a zip's declared sizes can lie. Only stored and deflated entries are supported.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { crc32 } from 'node:zlib';
import { Inflate, zipSync, type Zippable } from 'fflate';
import { FixableError } from '../errors';

export interface ZipLimits {
  /** entries (files and folders) in the archive */
  maxEntries: number;
  /** uncompressed bytes of one file */
  maxEntryBytes: number;
  /** uncompressed bytes of all files together */
  maxTotalBytes: number;
  /** uncompressed / compressed size of a file above 1 MiB; text compresses 3-10 times, a bomb 1000 */
  maxRatio: number;
}

const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 100,
};

/** Below this size a file's compression ratio is harmless, whatever it is. */
const RATIO_FLOOR_BYTES = 1024 * 1024;
/** Compressed bytes inflated per step: deflate expands at most ~1032x, so one step stays under ~8 MiB. */
const INFLATE_STEP = 8 * 1024;

export class ZipError extends FixableError {
  constructor(
    readonly zip: string,
    /** what is wrong, without the archive's name */
    readonly reason: string,
  ) {
    super(`${zip}: ${reason}`);
    this.name = 'ZipError';
  }
}

interface Entry {
  /** the name as stored */
  raw: string;
  /** normalized relative path with '/' separators */
  path: string;
  directory: boolean;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localOffset: number;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

/** Where each entry is and what it claims to be, from the central directory; throws on anything unsafe. */
function readEntries(data: Uint8Array, label: string, limits: ZipLimits): Entry[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const fail = (message: string): never => {
    throw new ZipError(label, message);
  };
  let eocd = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record)');
  const count = view.getUint16(eocd + 10, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) fail('ZIP64 archives are not supported; a pack needs no more than 65,535 files or 4 GiB');
  if (count > limits.maxEntries) fail(`holds ${count} entries, more than the ${limits.maxEntries} allowed`);

  const decoder = new TextDecoder('utf-8');
  const entries: Entry[] = [];
  const seen = new Set<string>();
  let declaredTotal = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > data.length || view.getUint32(p, true) !== 0x02014b50) fail('is damaged (its central directory is cut short)');
    const madeBy = view.getUint16(p + 4, true);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    const localOffset = view.getUint32(p + 42, true);
    const raw = decoder.decode(data.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;

    const path = safePath(raw, label);
    const host = madeBy >> 8;
    const mode = external >>> 16;
    const type = mode & 0o170000;
    // Unix (3) and macOS (19) archivers keep the file type in the upper half of the external attributes.
    if ((host === 3 || host === 19) && type === 0o120000) fail(`entry '${raw}' is a symbolic link; links are not allowed in a zip (they could point outside the folder)`);
    if ((host === 3 || host === 19) && type !== 0 && type !== 0o100000 && type !== 0o040000) fail(`entry '${raw}' is not a regular file or folder`);
    if (flags & 1) fail(`entry '${raw}' is encrypted; zip the pack without a password`);
    const directory = raw.endsWith('/') || raw.endsWith('\\');
    if (!directory && method !== 0 && method !== 8) fail(`entry '${raw}' uses compression method ${method}; only stored and deflated entries are supported`);
    if (path && seen.has(path)) fail(`entry '${raw}' appears twice`);
    if (path) seen.add(path);
    if (size > limits.maxEntryBytes) fail(`entry '${raw}' would unpack to ${formatBytes(size)}, more than the ${formatBytes(limits.maxEntryBytes)} allowed for one file`);
    declaredTotal += size;
    if (declaredTotal > limits.maxTotalBytes) fail(`would unpack to more than the ${formatBytes(limits.maxTotalBytes)} allowed in all`);
    if (size > RATIO_FLOOR_BYTES && size > compressedSize * limits.maxRatio) fail(`entry '${raw}' expands ${Math.round(size / Math.max(1, compressedSize))} times; more than ${limits.maxRatio} looks like a zip bomb`);
    entries.push({ raw, path, directory, method, compressedSize, size, crc, localOffset });
  }
  return entries;
}

/** The entry's name as a relative path inside the destination, or a ZipError saying why it may not be. */
function safePath(raw: string, label: string): string {
  const name = raw.replace(/\\/g, '/');
  if (name.includes('\0')) throw new ZipError(label, `entry '${raw}' has a NUL character in its name`);
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) throw new ZipError(label, `entry '${raw}' has an absolute path; entries must be relative to the archive`);
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new ZipError(label, `entry '${raw}' has a '../' path that leaves the folder it unpacks into`);
  return parts.join('/');
}

/** Inflates (or copies) one entry, metering its size as it grows; throws past any limit. */
function entryBytes(data: Uint8Array, entry: Entry, label: string, limits: ZipLimits, totalSoFar: number): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const at = entry.localOffset;
  if (at + 30 > data.length || view.getUint32(at, true) !== 0x04034b50) throw new ZipError(label, `entry '${entry.raw}' is damaged (no local header)`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const compressed = data.subarray(start, start + entry.compressedSize);
  if (compressed.length !== entry.compressedSize) throw new ZipError(label, `entry '${entry.raw}' is cut short`);

  let out: Uint8Array;
  if (entry.method === 0) {
    out = compressed;
  } else {
    const chunks: Uint8Array[] = [];
    let produced = 0;
    const inflate = new Inflate((chunk) => {
      produced += chunk.length;
      if (produced > limits.maxEntryBytes) throw new ZipError(label, `entry '${entry.raw}' unpacks to more than the ${formatBytes(limits.maxEntryBytes)} allowed for one file (it declared ${formatBytes(entry.size)})`);
      if (totalSoFar + produced > limits.maxTotalBytes) throw new ZipError(label, `unpacks to more than the ${formatBytes(limits.maxTotalBytes)} allowed in all`);
      if (produced > RATIO_FLOOR_BYTES && produced > entry.compressedSize * limits.maxRatio) {
        throw new ZipError(label, `entry '${entry.raw}' expands more than ${limits.maxRatio} times; that looks like a zip bomb`);
      }
      chunks.push(chunk);
    });
    try {
      for (let i = 0; i < compressed.length; i += INFLATE_STEP) {
        inflate.push(compressed.subarray(i, i + INFLATE_STEP), i + INFLATE_STEP >= compressed.length);
      }
      if (compressed.length === 0) inflate.push(new Uint8Array(0), true);
    } catch (error) {
      if (error instanceof ZipError) throw error;
      throw new ZipError(label, `entry '${entry.raw}' is damaged: ${(error as Error).message}`);
    }
    out = Buffer.concat(chunks);
  }
  if (out.length !== entry.size) throw new ZipError(label, `entry '${entry.raw}' unpacks to ${out.length} bytes but declares ${entry.size}: the archive is damaged`);
  if (crc32(out) >>> 0 !== entry.crc) throw new ZipError(label, `entry '${entry.raw}' is damaged (checksum mismatch)`);
  return out;
}

/**
 * Unpacks `data` (a zip archive; `label` names it in messages) into `destDir`, which must not exist yet or
 * be empty. Nothing is written unless every entry's name and declared size is acceptable. Returns the
 * files written, relative to destDir with '/' separators.
 */
export async function extractZip(data: Uint8Array, destDir: string, label: string, limits: Partial<ZipLimits> = {}): Promise<string[]> {
  const effective = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const entries = readEntries(data, label, effective);
  await mkdir(destDir, { recursive: true });
  const written: string[] = [];
  let total = 0;
  for (const entry of entries) {
    if (!entry.path) continue;
    const target = join(destDir, ...entry.path.split('/'));
    if (entry.directory) {
      await mkdir(target, { recursive: true });
      continue;
    }
    const bytes = entryBytes(data, entry, label, effective, total);
    total += bytes.length;
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes, { flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') throw new ZipError(label, `entry '${entry.raw}' clashes with another entry of the same path`);
      throw error;
    }
    written.push(entry.path);
  }
  return written;
}

/** A zip of every file under `dir`, stored under `top/` inside the archive. */
export async function zipFolder(dir: string, top: string): Promise<Uint8Array> {
  const files: Zippable = {};
  const walk = async (folder: string): Promise<void> => {
    for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files[`${top}/${relative(dir, path).split(sep).join('/')}`] = [await readFile(path), {}];
    }
  };
  await walk(dir);
  // A fixed timestamp makes the same release give the same bytes.
  return zipSync(files, { level: 9, mtime: new Date(2000, 0, 1) });
}

const COMPLETE = '.gradlab-unpacked';

/**
 * Unpacks a zip once into a cache folder named by its content hash (reused on later calls) and returns
 * that folder. Concurrent callers each unpack into a temporary sibling; the first rename wins.
 */
export async function unpackCached(zipPath: string, cacheDir = join(tmpdir(), 'gradlab-zips'), limits: Partial<ZipLimits> = {}): Promise<string> {
  const data = await readFile(zipPath);
  const target = join(cacheDir, createHash('sha256').update(data).digest('hex').slice(0, 20));
  if (existsSync(join(target, COMPLETE))) return target;
  await mkdir(cacheDir, { recursive: true });
  const temporary = await mkdtemp(`${target}-`);
  try {
    await extractZip(data, temporary, zipPath, limits);
    await writeFile(join(temporary, COMPLETE), '');
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  try {
    await rename(temporary, target);
  } catch {
    if (existsSync(join(target, COMPLETE))) {
      await rm(temporary, { recursive: true, force: true }); // another caller finished first
      return target;
    }
    await rm(target, { recursive: true, force: true }); // left unfinished by a run that crashed
    await rename(temporary, target);
  }
  return target;
}

/** True when `path` names an existing file (not a folder) ending in .zip. */
export async function isZipFile(path: string): Promise<boolean> {
  if (!/\.zip$/i.test(path)) return false;
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
