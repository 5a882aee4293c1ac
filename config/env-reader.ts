/** Typed reads of environment variables; each bad value adds a line to `problems`. */
export interface EnvReader {
  /** What was wrong so far, one line per variable. */
  readonly problems: string[];
  /** The value, or undefined when unset or empty. */
  str(name: string): string | undefined;
  int(name: string, fallback: number, min: number, max: number): number;
  /** `1/true/yes/on` or `0/false/no/off`; unset is false. */
  bool(name: string): boolean;
  /** Items separated by commas or whitespace. */
  list(name: string): string[];
}

export function envReader(vars: Readonly<Record<string, string>>): EnvReader {
  const problems: string[] = [];
  const str = (name: string): string | undefined => (vars[name] === undefined || vars[name] === '' ? undefined : vars[name]);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return false;
  };
  const list = (name: string): string[] =>
    (str(name) ?? '').split(/[\s,]+/).filter((item) => item !== '');
  return { problems, str, int, bool, list };
}
