// Named pipes, sockets and devices as submissions, for `gradlab check --submission` and for the class intake of
// `gradlab grade`: each refused by what it is, saying what to pass instead, and never opened (opening a FIFO for
// reading blocks until a writer comes, so a hang fails this suite by its timeout rather than passing).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { discoverStudents } from '../../src/core/gradebook/discover';
import { stageStudent } from '../../src/core/gradebook/intake';
import { SubmissionError, withSubmissionFolder } from '../../src/core/grading/submission';
import type { ExerciseSpec } from '../../src/protocol/pack';
import { temporary } from './gradebook-fixtures';

const exercise: ExerciseSpec = {
  id: '01-one-update',
  title: 'One update',
  lesson: 'l',
  order: 1,
  instructions: 'README.md',
  files: [{ path: 'one_update.py', role: 'learner' }],
  checks: [],
};

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

const servers: Server[] = [];

async function socket(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(path, listening));
  servers.push(server);
  return path;
}

after(() => servers.splice(0).forEach((server) => server.close()));

describe('named pipes, sockets and devices as submissions', function () {
  this.timeout(5000);
  before(function () {
    if (process.platform === 'win32') this.skip(); // no mkfifo, no Unix sockets in the file system
  });

  it('gradlab check refuses one given as --submission, or as a learner file in the submitted folder, without opening it', async () => {
    const dir = temporary('special');
    const never = async () => assert.fail('the check must not start');
    const cases: Array<[string, string]> = [
      [fifo(join(dir, 'one_update.py')), 'a named pipe (FIFO)'],
      [await socket(join(dir, 'sock.py')), 'a socket'],
      ['/dev/null', 'a character device'],
    ];
    for (const [path, what] of cases) {
      await assert.rejects(withSubmissionFolder(exercise, path, never), (error: Error) => {
        assert.ok(error instanceof SubmissionError, String(error));
        assert.equal(error.message, `The submission ${path} is not a file or a folder but ${what}: pass the saved Python file (one_update.py) or the exercise folder instead.`);
        return true;
      });
    }
    const folder = join(dir, 'exercise');
    mkdirSync(folder);
    fifo(join(folder, 'one_update.py'));
    await assert.rejects(
      withSubmissionFolder(exercise, folder, never),
      new SubmissionError(`${folder}/one_update.py is not a regular file but a named pipe (FIFO): save one_update.py in ${folder} as an ordinary file and check again.`),
    );
  });

  it('gradlab grade refuses one as a student, as an exercise folder, as gradlab/ or as a learner file', async () => {
    const submissions = temporary('special-class');
    fifo(join(submissions, 'ana.zip'));
    await socket(join(submissions, 'bob'));
    mkdirSync(join(submissions, 'cat', 'gradlab', exercise.id), { recursive: true });
    fifo(join(submissions, 'cat', 'gradlab', exercise.id, 'one_update.py'));
    mkdirSync(join(submissions, 'dan', 'gradlab'), { recursive: true });
    fifo(join(submissions, 'dan', 'gradlab', exercise.id));
    mkdirSync(join(submissions, 'eve', exercise.id), { recursive: true });
    writeFileSync(join(submissions, 'eve', exercise.id, 'one_update.py'), 'def predict(w, b, x):\n    return w * x + b\n');
    await socket(join(submissions, 'eve', 'gradlab'));

    const { students, skipped } = await discoverStudents(submissions);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      students.map((s) => [s.student, s.kind]),
      [['ana', 'special'], ['bob', 'special'], ['cat', 'folder'], ['dan', 'folder'], ['eve', 'folder']],
    );
    const staged = new Map<string, Awaited<ReturnType<typeof stageStudent>>>();
    const tempRoot = temporary('special-staging');
    for (const entry of students) staged.set(entry.student, await stageStudent(entry, [exercise], tempRoot));
    const said = (student: string) => [...staged.get(student)!.messages, ...staged.get(student)!.exercises[0].messages];

    assert.deepEqual(said('ana'), [
      "The submission ana is not a folder or a .zip but a named pipe (FIFO): put the student's folder or .zip file in its place",
      'not graded: the submission itself could not be used (see above)',
    ]);
    assert.equal(said('bob')[0], "The submission bob is not a folder or a .zip but a socket: put the student's folder or .zip file in its place");
    assert.deepEqual(said('cat'), ['gradlab/01-one-update/one_update.py is not a regular file but a named pipe (FIFO): submit the Python file itself']);
    assert.deepEqual(said('dan'), ['gradlab/01-one-update is not a folder but a named pipe (FIFO): submit the exercise folder itself']);
    for (const student of ['ana', 'bob', 'cat', 'dan']) assert.equal(staged.get(student)!.exercises[0].status, 'refused', student);
    // Beside a gradlab/ that is a socket, the exercise folder at the top is still graded, with a word about gradlab.
    assert.deepEqual(said('eve'), ['gradlab is not a folder but a socket: submit the gradlab folder itself']);
    assert.equal(staged.get('eve')!.exercises[0].status, 'ready');
  });
});
