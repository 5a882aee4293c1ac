/** itsUP's columns, in itsUP's order (bin/analyze_threats.py), so existing readers keep working. */
export const ITSUP_COLUMNS = [
  'ip', 'domain', 'subnet', 'org_name', 'country', 'abuse_score', 'total_reports', 'usage_type', 'is_tor',
  'last_reported', 'emails', 'phone', 'description', 'first_seen', 'last_updated', 'reported_to_abuseipdb',
] as const;

/** GeoIP's columns (GEOIP_DB), empty without a usable database. */
export const GEO_COLUMNS = ['geo_country', 'geo_city', 'geo_latitude', 'geo_longitude'] as const;

/** The report's columns: itsUP's, then railyard's own, then GeoIP's (appended: existing readers keep their order). */
export const COLUMNS = [...ITSUP_COLUMNS, 'source', 'jail', ...GEO_COLUMNS] as const;

export type Column = (typeof COLUMNS)[number];
export type Row = Readonly<Record<Column, string>>;

/** An empty row: every column present. */
export function emptyRow(): Record<Column, string> {
  return Object.fromEntries(COLUMNS.map((column) => [column, ''])) as Record<Column, string>;
}

/**
 * The report as CSV: a header, then one line per row. Line ends are CRLF and
 * quoting is minimal, as Python's csv module writes it (itsUP's format).
 */
export function formatCsv(rows: readonly Row[]): string {
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => csvCell(row[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * One cell. A cell a spreadsheet would run as a formula (starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return) gets a leading `'` (OWASP's
 * advice against CSV injection). A cell that already starts with `'` is left
 * as it is, so reading the report back and writing it again changes nothing.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Parses CSV (RFC 4180: quoted cells, doubled quotes, CRLF or LF); returns the records, header included. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  return records;
}
