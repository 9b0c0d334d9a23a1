import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, zipSync, type Zippable } from 'fflate';
import { loadPack } from '../../src/core/packs/load';
import { PackError } from '../../src/core/packs/problems';
import { ZipError, extractZip, zipFolder } from '../../src/core/packs/zip';
import { packageRoot } from '../../src/core/paths';

const tiny = () => join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny');
const scratch = () => mkdtempSync(join(tmpdir(), 'gradlab-zip-test-'));
const text = (s: string) => new TextEncoder().encode(s);

/** A zip of `files` written to a scratch folder; returns its path. */
function writeZip(files: Zippable, name = 'pack.zip'): string {
  const path = join(scratch(), name);
  writeFileSync(path, zipSync(files));
  return path;
}

async function zipProblem(zip: string): Promise<string> {
  try {
    await loadPack(zip, { zipCacheDir: scratch() });
  } catch (error) {
    assert.ok(error instanceof PackError, String(error));
    return error.message;
  }
  assert.fail(`${zip} loaded`);
}

async function extractFails(data: Uint8Array, limits = {}): Promise<{ message: string; dest: string }> {
  const dest = join(scratch(), 'out');
  try {
    await extractZip(data, dest, 'test.zip', limits);
  } catch (error) {
    assert.ok(error instanceof ZipError, String(error));
    return { message: error.message, dest };
  }
  assert.fail('extracted');
}

describe('zip packs', () => {
  it('opens a zip whose single top folder holds the manifest, and unpacks it once', async () => {
    const zip = join(scratch(), 'tiny.zip');
    writeFileSync(zip, await zipFolder(tiny(), 'tiny'));
    const cache = scratch();
    const pack = await loadPack(zip, { zipCacheDir: cache });
    assert.equal(pack.manifest.id, 'tiny');
    assert.equal(pack.zip, zip);
    assert.equal(readFileSync(join(pack.dir, '01-square', 'square.py'), 'utf8'), readFileSync(join(tiny(), '01-square', 'square.py'), 'utf8'));
    const again = await loadPack(zip, { zipCacheDir: cache });
    assert.equal(again.dir, pack.dir);
    assert.equal(readdirSync(cache).length, 1);
  });

  it('opens a zip with the manifest at its top', async () => {
    const files: Zippable = {};
    for (const name of ['pack.json', '01-square/README.md', '01-square/square.py', '01-square/helpers.py', '01-square/run_square.py', '01-square/tests.py']) {
      files[name] = readFileSync(join(tiny(), name));
    }
    const pack = await loadPack(writeZip(files), { zipCacheDir: scratch() });
    assert.equal(pack.manifest.exercises[0].id, '01-square');
  });

  it('refuses a zip without a manifest where one is expected', async () => {
    const message = await zipProblem(writeZip({ 'a/x.txt': text('x'), 'b/y.txt': text('y') }));
    assert.match(message, /^pack\.zip: holds no pack\.json or pack\.yaml, neither at its top nor in a single top folder$/);
  });

  it("refuses '../' paths and writes nothing", async () => {
    const cache = scratch();
    const zip = writeZip({ 'pack/pack.json': text('{}'), 'pack/../../escaped.txt': text('gotcha') });
    await assert.rejects(loadPack(zip, { zipCacheDir: cache }), /pack\.zip: entry 'pack\/\.\.\/\.\.\/escaped\.txt' has a '\.\.\/' path that leaves the folder it unpacks into/);
    assert.equal(existsSync(join(cache, '..', 'escaped.txt')), false);
    assert.deepEqual(readdirSync(cache), []);
  });

  it('refuses absolute paths, backslash escapes included', async () => {
    assert.match(await zipProblem(writeZip({ '/etc/cron.d/x': text('x') })), /entry '\/etc\/cron\.d\/x' has an absolute path/);
    assert.match(await zipProblem(writeZip({ 'C:\\Windows\\x.dll': text('x') })), /entry 'C:\\Windows\\x\.dll' has an absolute path/);
    assert.match(await zipProblem(writeZip({ 'pack\\..\\..\\x': text('x') })), /has a '\.\.\/' path/);
  });

  it('refuses symbolic links', async () => {
    const link: Zippable = { 'pack/pack.json': text('{}'), 'pack/solutions': [text('/home/teacher/solutions'), { os: 3, attrs: (0o120777 << 16) >>> 0 }] };
    assert.match(await zipProblem(writeZip(link)), /entry 'pack\/solutions' is a symbolic link; links are not allowed in a zip/);
  });

  it('refuses a zip bomb by its declared sizes, before unpacking anything', async () => {
    const zeros = new Uint8Array(20 * 1024 * 1024);
    const { message, dest } = await extractFails(zipSync({ 'bomb.bin': zeros }, { level: 9 }));
    assert.match(message, /^test\.zip: entry 'bomb\.bin' expands \d+ times; more than 100 looks like a zip bomb$/);
    assert.equal(existsSync(dest), false);
  });

  it('stops a zip bomb that lies about its size while it inflates', async () => {
    const data = zipSync({ 'small.txt': new Uint8Array(20 * 1024 * 1024) }, { level: 9 });
    const view = new DataView(data.buffer);
    // Rewrite the central directory's uncompressed size to a harmless 1,000 bytes.
    const cd = view.getUint32(data.length - 22 + 16, true);
    view.setUint32(cd + 24, 1000, true);
    const { message } = await extractFails(data);
    assert.match(message, /entry 'small\.txt' expands more than 100 times; that looks like a zip bomb/);
  });

  it('caps entries, bytes per file and bytes in all', async () => {
    const many: Zippable = {};
    for (let i = 0; i < 6; i++) many[`f${i}.txt`] = text('x');
    assert.match((await extractFails(zipSync(many), { maxEntries: 5 })).message, /holds 6 entries, more than the 5 allowed/);
    const big = zipSync({ 'big.txt': new Uint8Array(3000).fill(65) }, { level: 0 });
    assert.match((await extractFails(big, { maxEntryBytes: 2000 })).message, /entry 'big\.txt' would unpack to 2\.9 KiB, more than the 2\.0 KiB allowed for one file/);
    const two = zipSync({ 'a.txt': new Uint8Array(1500), 'b.txt': new Uint8Array(1500) }, { level: 0 });
    assert.match((await extractFails(two, { maxTotalBytes: 2000 })).message, /would unpack to more than the 2\.0 KiB allowed in all/);
  });

  it('notices a damaged entry by its checksum', async () => {
    const data = zipSync({ 'a.txt': text('hello, world') }, { level: 0 });
    data[30 + 'a.txt'.length] ^= 0xff; // first byte of the stored data
    assert.match((await extractFails(data)).message, /entry 'a\.txt' is damaged \(checksum mismatch\)/);
  });

  it('refuses what is not a zip', async () => {
    assert.match((await extractFails(deflateSync(text('plain')))).message, /not a zip archive/);
  });

  it('round-trips a folder through zipFolder and extractZip', async () => {
    const dest = join(scratch(), 'out');
    const written = await extractZip(await zipFolder(tiny(), 'top'), dest, 'tiny.zip');
    assert.ok(written.includes('top/01-square/square.py'));
    assert.equal(readFileSync(join(dest, 'top', 'pack.json'), 'utf8'), readFileSync(join(tiny(), 'pack.json'), 'utf8'));
  });
});
