// Learner text (what their code printed, messages built from their values, their file and folder names) made
// safe to show where control characters act. A terminal obeys escape sequences: colours, cursor moves, OSC 8
// links, a bare carriage return or backspaces that rewrite a line, so a learner's print could paint a fake green
// PASS over a FAIL. A Markdown file carries them to whatever renders or `cat`s it. The text itself stays: only
// the controls go, and a carriage return becomes the line break it looks like.

// Escape sequences as ECMA-48 (sections 5.3 to 5.6) shapes them, each removed whole so no "[32m" is left behind.
// Their 8-bit introducers (C1: U+009B for CSI...) are rare and removed alone, with the other controls: what follows
// one stays as text, which is safe once no control is left.
/** control strings (OSC, DCS, SOS, PM, APC; an OSC 8 hyperlink is two) up to their terminator, BEL or ST (ESC \\) */
const CONTROL_STRING = /\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)/g;
/** CSI: parameter bytes, intermediate bytes, one final byte (colours, cursor moves, erasing) */
const CSI = /\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]/g;
/** any other escape: intermediates and a final byte (ESC c resets, ESC 7 saves the cursor, ESC ( B picks a charset) */
const ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]/g;
/** what is left of C0 (but tab and line feed), DEL and C1: a sequence cut short, BEL, backspace, form feed... */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** The text without escape sequences and control characters but newline and tab; CR LF and a lone CR become newlines. */
export function printable(text: string): string {
  return text.replace(CONTROL_STRING, '').replace(CSI, '').replace(ESCAPE, '').replace(/\r\n?/g, '\n').replace(CONTROL, '');
}

/**
 * JSON for a terminal or a pipe: JSON.stringify escapes C0 controls in strings but writes DEL and C1 (U+0080-U+009F,
 * which some terminals obey) as they are; here they are \u escapes too, so the text holds no control character
 * and parses back to exactly the same value.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
