// Replacing progress.json or a history's cache while Windows keeps the target open (EPERM/EACCES/EBUSY from the
// rename): retried with growing waits, other errors at once, and when every try fails the data is kept and named.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileLockedError, replaceFile, replaceFileSync, RETRY_DELAYS_MS } from '../../src/core/replaceFile';

const failure = (code: string) => Object.assign(new Error(`${code}: operation not permitted, rename`), { code });

/** A rename that fails with `code` the first `times` calls, then renames for real. */
function lockedFor(times: number, code = 'EPERM') {
  let calls = 0;
  return {
    calls: () => calls,
    move: (from: string, to: string) => {
      calls++;
      if (calls <= times) throw failure(code);
      renameSync(from, to);
    },
  };
}

function files(): { temporary: string; target: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-replace-'));
  const temporary = join(dir, 'progress.json.123.tmp');
  const target = join(dir, 'progress.json');
  writeFileSync(target, '{"old":true}');
  writeFileSync(temporary, '{"new":true}');
  return { temporary, target };
}

describe('replacing a file another program keeps open', () => {
  it('retries a locked rename with growing waits until it succeeds', () => {
    const { temporary, target } = files();
    for (const code of ['EPERM', 'EACCES', 'EBUSY']) {
      writeFileSync(temporary, `{"new":"${code}"}`);
      const rename = lockedFor(3, code);
      const waits: number[] = [];
      replaceFileSync(temporary, target, rename.move, (ms) => waits.push(ms));
      assert.equal(rename.calls(), 4);
      assert.deepEqual(waits, RETRY_DELAYS_MS.slice(0, 3));
      assert.equal(readFileSync(target, 'utf8'), `{"new":"${code}"}`);
    }
  });

  it('does not retry other errors', () => {
    const { temporary, target } = files();
    const waits: number[] = [];
    const missing = () => {
      throw failure('ENOENT');
    };
    assert.throws(() => replaceFileSync(temporary, target, missing, (ms) => waits.push(ms)), /ENOENT/);
    assert.deepEqual(waits, []);
  });

  it('keeps what was to be written and says where when the file stays locked', () => {
    const { temporary, target } = files();
    const rename = lockedFor(Infinity);
    assert.throws(
      () => replaceFileSync(temporary, target, rename.move, () => undefined),
      (error: unknown) => {
        assert.ok(error instanceof FileLockedError);
        assert.match(error.message, /another program keeps it open/);
        assert.ok(error.message.includes(temporary) && error.message.includes(target));
        return true;
      },
    );
    assert.equal(rename.calls(), RETRY_DELAYS_MS.length + 1);
    assert.equal(readFileSync(temporary, 'utf8'), '{"new":true}');
    assert.equal(readFileSync(target, 'utf8'), '{"old":true}');
  });

  it('waits without blocking in the async form (the history cache)', async () => {
    const { temporary, target } = files();
    let calls = 0;
    const waits: number[] = [];
    await replaceFile(
      temporary,
      target,
      async (from, to) => {
        if (++calls <= 2) throw failure('EBUSY');
        renameSync(from, to);
      },
      async (ms) => {
        waits.push(ms);
      },
    );
    assert.deepEqual(waits, RETRY_DELAYS_MS.slice(0, 2));
    assert.equal(existsSync(temporary), false);
    assert.equal(readFileSync(target, 'utf8'), '{"new":true}');
  });
});
