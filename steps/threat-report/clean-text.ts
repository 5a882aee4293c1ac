// Text from PTR records, RDAP and AbuseIPDB is written by whoever controls the
// address: it may carry terminal escapes, line breaks or bidi overrides meant
// for whoever opens the report. CSV-injection escaping happens in csv.ts.

// ANSI escape sequences: CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ST`), and two-byte `ESC x`.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;
// C0 and C1 controls, DEL, and the bidirectional overrides and isolates.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: escape sequences and control characters removed, line breaks made spaces, trimmed. */
export function cleanText(text: string): string {
  return stripControls(text.replace(/[\r\n\t\v\f]+/g, ' ')).replace(/ {2,}/g, ' ').trim();
}

/** Removes escape sequences first (so no `[31m` is left behind), then every control character. */
export function stripControls(text: string): string {
  return text.replace(ANSI, '').replace(CONTROLS, '');
}

/**
 * A PTR name as c-ares hands it over, with its escapes undone (`\010` is the
 * byte 10, `\"` a quote; bytes are read as UTF-8), then cleaned: the name the
 * record really holds, minus what must not reach a terminal or a spreadsheet.
 */
export function cleanPtrName(name: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const decimal = name[i] === '\\' ? /^\d{3}/.exec(name.slice(i + 1))?.[0] : undefined;
    if (decimal !== undefined) {
      bytes.push(Number(decimal) & 0xff);
      i += 3;
      continue;
    }
    if (name[i] === '\\' && i + 1 < name.length) i++;
    bytes.push(...Buffer.from(name[i] ?? '', 'utf8'));
  }
  return stripControls(Buffer.from(bytes).toString('utf8')).trim();
}
