// CSV, both ways, for every file we write that a spreadsheet may open (gradebook.csv, canvas.csv, a run's
// metrics): RFC 4180 quoting, and text that a spreadsheet would take for a formula marked as text.

/**
 * Excel, LibreOffice Calc and Google Sheets evaluate a cell that starts with one of these as a formula, so a
 * student folder named `=HYPERLINK(...)` or `@SUM(1+1)` would run in the instructor's spreadsheet. OWASP's
 * CSV-injection guidance (owasp.org/www-community/attacks/CSV_Injection) lists = + - @ tab CR LF, and says to
 * quote such a cell and start it with a single quote: the spreadsheets' "this is text" mark, hidden where they
 * honour it and otherwise one visible character before the real text. A cell that already starts with a
 * quote is marked too, so the mark is never ambiguous and parseCsv gives back exactly what was written.
 */
const FORMULA_START = /^[=+\-@\t\r\n']/;

/** One field: quoted when it holds a comma, a quote or a line break, or starts or ends with white space. */
export function csvField(value: string | number): string {
  const text = String(value);
  if (FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text, CRLF between rows as spreadsheets and Canvas expect. */
export function csv(rows: Array<Array<string | number>>): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The text a field holds, without the text mark csvField puts before a formula character or a quote. */
function unmarked(field: string): string {
  return /^'[=+\-@\t\r\n']/.test(field) ? field.slice(1) : field;
}

/** Rows of a CSV text; a leading byte-order mark (spreadsheets write one) is dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const source = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(unmarked(field));
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      row.push(unmarked(field));
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(unmarked(field));
    rows.push(row);
  }
  return rows;
}
