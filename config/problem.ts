/** One thing wrong with db.yml, pointing at the line and column to fix. */
export interface ConfigProblem {
  /** Stable code, e.g. `SCHEMA_RANGE` or `DUPLICATE_PROJECT`; tests assert on it. */
  readonly code: ConfigProblemCode;
  readonly file: string;
  /** 1-based; 0 when the problem concerns the whole file. */
  readonly line: number;
  readonly col: number;
  /** JSON path such as `projects[2].services[0].ingress[1].port`, or '' for the document. */
  readonly path: string;
  /** What is wrong and what to do, one line. */
  readonly message: string;
  /** Set on warnings: the file is valid and deploys, but should change. */
  readonly severity?: 'warning';
}

export type ConfigProblemCode =
  | 'YAML_SYNTAX'
  | 'YAML_DUPLICATE_KEY'
  | 'YAML_ALIAS_LIMIT'
  | 'SCHEMA_TYPE'
  | 'SCHEMA_REQUIRED'
  | 'SCHEMA_UNKNOWN_KEY'
  | 'SCHEMA_ENUM'
  | 'SCHEMA_RANGE'
  | 'SCHEMA_PATTERN'
  | 'SCHEMA_LENGTH'
  | 'SCHEMA_INVALID'
  | 'INVALID_NAME'
  | 'DUPLICATE_PROJECT'
  | 'DUPLICATE_SERVICE'
  | 'UNKNOWN_DEPENDENCY'
  | 'PASSTHROUGH_PORT_80'
  | 'RESERVED_PROPERTY'
  | 'DUPLICATE_ROUTE'
  | 'DUPLICATE_HOSTPORT'
  | 'UNRESOLVED_VARIABLE'
  | 'INVALID_SCHEDULE'
  | 'HOST_ACCESS_REFUSED'
  | 'SECRET_VARIABLE'
  | 'YAML_TOO_DEEP'
  | ConfigWarningCode;

/** Codes of warnings (see config/warnings.ts): never a reason to refuse a file. */
export type ConfigWarningCode =
  | 'NOT_YET_EFFECTIVE'
  /** A setting that has no meaning where it is (ntfy's priority on a Slack target). */
  | 'NO_EFFECT'
  /** A setting that acts only under runtime: swarm (`placement`), on a compose project. */
  | 'SWARM_ONLY'
  /** A key itsUP's models ignored (typo or leftover): dropped, with "did you mean". */
  | 'UNKNOWN_KEY'
  /** A `plugins:` entry other than crowdsec. */
  | 'UNKNOWN_PLUGIN'
  /** An additional_properties key the service has its own field for (which it does not set). */
  | 'ADDITIONAL_PROPERTY_OWN_FIELD'
  /** Long-syntax volumes in additional_properties: no data folder, no change tracking. */
  | 'ADDITIONAL_PROPERTY_VOLUME'
  /** A domain with `_`: no certificate can be issued for it. */
  | 'DOMAIN_UNDERSCORE'
  /** A setting that hands the container the host (config/host-access.ts). */
  | 'HOST_ACCESS';

/** `db.yml:41:15 projects[2].services[0].ingress[1].port: must be <= 65535` */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.file;
  return `${where} ${problem.path || '(document)'}: ${problem.severity === 'warning' ? 'warning: ' : ''}${problem.message}`;
}

/** Turns a JSON pointer (`/projects/2/name`) into a JSON path (`projects[2].name`). */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, segment) => {
      if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
      if (/^[A-Za-z_][\w-]*$/.test(segment)) return path ? `${path}.${segment}` : segment;
      return `${path}[${JSON.stringify(segment)}]`;
    }, '');
}

export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
