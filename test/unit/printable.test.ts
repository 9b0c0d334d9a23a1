// Learner output on a terminal and in Markdown feedback: escape sequences and control characters go (no fake green
// PASS, no overwritten line, no hidden link), the text stays, and the JSON report keeps the text exactly.
import * as assert from 'node:assert/strict';
import { formatReport, reportJson } from '../../src/cli/report';
import { feedbackMarkdown } from '../../src/core/gradebook/feedback';
import { GRADEBOOK_FORMAT, type Gradebook, type StudentRecord } from '../../src/core/gradebook/model';
import { printable, printableJson } from '../../src/core/printable';
import type { CheckReport, CheckResult } from '../../src/protocol/worker';

/** Any control character but newline and tab: what must never reach a terminal or a feedback file. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

const GREEN_PASS = '\x1b[32mPASS\x1b[0m';
const LINK = '\x1b]8;;http://evil.example/\x07click here\x1b]8;;\x07';
const OVERWRITE = 'FAIL\rPASS';

function failed(partial: Partial<CheckResult>): CheckResult {
  return { id: 'c', title: 'a check', kind: 'test', hidden: false, status: 'failed', passed: false, message: '', points: 0, maxPoints: 1, durationMs: 1, ...partial };
}

describe('learner text shown where control characters act', () => {
  it('removes escape sequences and control characters, keeps the text, newlines and tabs', () => {
    const cases: Array<[string, string]> = [
      [GREEN_PASS, 'PASS'],
      ['\x1b[1;38;5;82mbold green\x1b[m', 'bold green'],
      ['\x1b[2K\x1b[1A\x1b[10Gmoved', 'moved'],
      [LINK, 'click here'],
      ['\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\', 'click'],
      ['\x1b]0;window title\x07text', 'text'],
      ['\x1bcreset \x1b7saved \x1b(Bcharset', 'reset saved charset'],
      [OVERWRITE, 'FAIL\nPASS'],
      ['one\r\ntwo\n', 'one\ntwo\n'],
      ['FAIL\b\b\b\bPASS', 'FAILPASS'],
      ['bell\x07 nul\x00 del\x7f vt\x0b ff\x0c', 'bell nul del vt ff'],
      ['c1 \x9b31mcsi \x85nel \x9d8;;osc', 'c1 31mcsi nel 8;;osc'],
      ['cut short \x1b[', 'cut short '],
      ['\x1b]8;;never terminated', '8;;never terminated'],
      ['tab\there\nnext line: café ✓ 日本', 'tab\there\nnext line: café ✓ 日本'],
    ];
    for (const [text, shown] of cases) assert.equal(printable(text), shown, JSON.stringify(text));
  });

  it('takes time in proportion to the text, whatever its introducers (a 64 KiB flood within the test timeout)', () => {
    const flood = '\x1b]'.repeat(100_000) + '\x1b['.repeat(100_000) + '\x9d'.repeat(100_000);
    assert.equal(printable(flood), '');
  });

  it("the terminal report shows a learner's output and messages without their controls", () => {
    const report = {
      exercise: '01-one-update',
      passed: false,
      points: 0,
      maxPoints: 1,
      durationMs: 5,
      checks: [failed({ message: `ValueError: ${GREEN_PASS}\rall good`, diagnosis: `${LINK}`, output: `${OVERWRITE}\n${GREEN_PASS}\n` })],
    } as CheckReport;
    const lines = formatReport(report);
    for (const line of lines) assert.doesNotMatch(line, CONTROL, JSON.stringify(line));
    assert.ok(lines.includes('          ValueError: PASS'), lines.join('\n'));
    assert.ok(lines.includes('          all good'), 'a carriage return becomes a line of its own, indented like the rest');
    assert.ok(lines.includes('          click here'));
    assert.ok(lines.includes('          output: FAIL | PASS | PASS'), lines.join('\n'));
  });

  it('the JSON report keeps the text exactly, escaped, and holds no control character itself', () => {
    const message = `ValueError: ${GREEN_PASS}\r\x7f\x9b\x85 ok`;
    const report = { exercise: 'e', passed: false, points: 0, maxPoints: 1, durationMs: 1, checks: [failed({ message })] } as CheckReport;
    const text = printableJson(reportJson(report));
    assert.doesNotMatch(text, CONTROL);
    assert.equal(printable(text), text, 'the CLI prints it through printable unchanged');
    assert.equal(JSON.parse(text).checks[0].message, message);
    assert.match(text, /"ValueError: \\u001b\[32mPASS\\u001b\[0m\\r\\u007f\\u009b\\u0085 ok"/);
  });

  it('feedback Markdown shows the output in a fence it cannot close, without controls, and a name without them', () => {
    // Backtick runs that a control character keeps apart join once it goes: the fence is measured after.
    const output = `${GREEN_PASS}\n\`\`\x07\`\`\x07\`\` closes?\n${OVERWRITE}`;
    const record: StudentRecord = {
      student: `\x1b[31mmallory\x1b[0m`,
      source: 'folder',
      messages: [`ignored (not part of the exercise): \x1b]8;;http://evil.example/\x07notes.txt\x1b]8;;\x07`],
      points: 0,
      maxPoints: 1,
      key: 'k',
      exercises: [{ exercise: 'e1', status: 'graded', points: 0, maxPoints: 1, messages: [], checks: [failed({ message: `got ${GREEN_PASS}`, output })] }],
    };
    const gradebook = {
      format: GRADEBOOK_FORMAT,
      pack: { id: 'p', title: 'Pack', version: '1', hash: 'h' },
      settings: { gradcheck: 'auto', limits: {}, grader: 'g' } as Gradebook['settings'], // feedback reads none of it
      exercises: [{ id: 'e1', title: 'Exercise one', maxPoints: 1, hints: [], checks: [{ id: 'c', title: 'a check', hidden: false, points: 1, hints: [] }] }],
      students: [record],
    } satisfies Gradebook;
    const text = feedbackMarkdown(gradebook, record);
    assert.doesNotMatch(text, CONTROL, text);
    assert.match(text, /^# Pack: feedback for mallory\n/);
    assert.match(text, /> ignored \(not part of the exercise\): notes\.txt/);
    assert.match(text, /```\n {2}got PASS\n {2}```/);
    // Six backticks in a row once the BELs are gone: the fence has seven, and the output is all inside it.
    assert.match(text, /\n {2}`{7}\n {2}PASS\n {2}`{6} closes\?\n {2}FAIL\n {2}PASS\n {2}`{7}\n/, text);
  });
});
