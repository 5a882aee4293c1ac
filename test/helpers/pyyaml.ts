import { execFileSync } from 'node:child_process';

/**
 * PyYAML, the reader itsUP uses, as the reference for how db.yml is read.
 * Values come back normalised to JSON (dates as epoch ms, non-finite floats
 * tagged), as `normalise` does for railyard's values. Suites skip without a
 * Python with PyYAML; REQUIRE_PYYAML=1 (set by .ci/run; scripts/test-host.sh
 * installs Debian's python3-yaml) makes that a failure.
 */
const SCRIPT = `
import sys, json, math, datetime, calendar, yaml
def key(k):
    if isinstance(k, bool): return 'true' if k else 'false'
    return 'null' if k is None else str(k)
def norm(v):
    if v is None or isinstance(v, (bool, str, int)): return v
    if isinstance(v, float):
        if math.isnan(v): return {'$float': 'nan'}
        if math.isinf(v): return {'$float': 'inf' if v > 0 else '-inf'}
        return v
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None: v = v.replace(tzinfo=datetime.timezone.utc)
        return {'$date': round(v.timestamp() * 1000)}
    if isinstance(v, datetime.date): return {'$date': calendar.timegm(v.timetuple()) * 1000}
    if isinstance(v, dict): return {key(k): norm(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [norm(x) for x in v]
    raise TypeError(type(v).__name__)
out = []
for text in json.load(sys.stdin):
    try: out.append({'value': norm(yaml.safe_load(text))})
    except yaml.YAMLError as e: out.append({'error': str(e).splitlines()[0]})
json.dump(out, sys.stdout)
`;

export type PyYamlResult = { value: unknown } | { error: string };

const PYTHONS = ['python3', '/usr/bin/python3'];

function findPython(): string | undefined {
  return PYTHONS.find((python) => {
    try {
      execFileSync(python, ['-c', 'import yaml'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
}

const python = findPython();

/** node:test options for suites that compare with PyYAML. */
export function pyyamlSuiteOptions(): { skip?: string } {
  if (python) return {};
  const why = `no python3 with PyYAML (${PYTHONS.join(', ')}); install python3-yaml`;
  if (process.env['REQUIRE_PYYAML'] === '1') throw new Error(`REQUIRE_PYYAML=1 but ${why}`);
  process.stderr.write(`SKIP PyYAML comparisons: ${why}\n`);
  return { skip: why };
}

/** What PyYAML's safe_load makes of each text, normalised to JSON. */
export function pyyamlLoad(texts: readonly string[]): PyYamlResult[] {
  if (!python) throw new Error('PyYAML is not available');
  return JSON.parse(execFileSync(python, ['-c', SCRIPT], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 64 << 20 })) as PyYamlResult[];
}

/** railyard's value in the same normal form as pyyamlLoad's. */
export function normalise(value: unknown): unknown {
  if (value instanceof Date) return { $date: value.getTime() };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $float: Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf' };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}
