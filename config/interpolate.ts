import { SECRET_SETTINGS } from './env.ts';
import type { ConfigProblem } from './problem.ts';
import { pointerOf, pointerToPath } from './problem.ts';
import type { SourceMap } from './parse-yaml.ts';

type Vars = Readonly<Record<string, string | null | undefined>>;

/**
 * Stands for a literal `$` that compose would otherwise read as the start of
 * a variable (`$$NAME` in db.yml, or a `$NAME` inside a resolved value). A
 * bare `$NAME` in db.yml is left as is: itsUP's output leaves it for compose,
 * which interpolates it from the project's .env. Renderers write this mark as
 * `$$` in compose files and as `$` everywhere else (see steps/render/yaml-out.ts).
 */
export const LITERAL_DOLLAR = '\uE024';
const NAME_START = /^[A-Za-z_{]/;
/** A resolved value, with each `$` compose would interpolate marked literal. */
const literal = (value: string): string => value.replace(/\$(?=[A-Za-z_{])/g, LITERAL_DOLLAR);

const TOKEN = /\$\$|\$\{([^}]*)\}|\$\{/g;
const EXPRESSION = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])(.*))?$/s;

/**
 * Resolves `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `${VAR:?message}`
 * in every string of a parsed db.yml, compose-style. `$$` is a literal `$`, and
 * so is a `$` not followed by `{`. Strings inside a project also see that
 * project's `env`, which wins over the environment. railyard's own secret
 * settings (SECRET_SETTINGS: API_KEY, GIT_TOKEN...) are refused by name
 * unless the project's env defines them: a push must not be able to copy
 * them into a container (issue 12).
 */
export function interpolate(
  value: unknown,
  vars: Vars,
  source: SourceMap,
  file: string,
): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const resolveString = (text: string, segments: (string | number)[], scope: Vars): string =>
    text.replace(TOKEN, (token: string, expression: string | undefined, offset: number) => {
      if (token === '$$') return NAME_START.test(text.slice(offset + 2)) ? LITERAL_DOLLAR : '$';
      const problem = (message: string, code: ConfigProblem['code'] = 'UNRESOLVED_VARIABLE'): string => {
        const pointer = pointerOf(segments);
        problems.push({ code, file, ...source.textAt(pointer, token), path: pointerToPath(pointer), message });
        return token;
      };
      const match = expression === undefined ? null : EXPRESSION.exec(expression);
      if (!match) return problem(`"${token}" is not a valid variable reference; use \${NAME}, or write $$ for a literal $`);
      const [, name = '', operator, rest = ''] = match;
      if (SECRET_SETTINGS.includes(name) && (scope === vars || scope[name] === vars[name])) {
        return problem(`\${${name}} is railyard's own secret and never reaches db.yml; give the container its own value under another name (or define ${name} in the project's env)`, 'SECRET_VARIABLE');
      }
      const current = scope[name];
      const unset = current === undefined || current === null;
      const empty = unset || current === '';
      if (operator === ':-') return literal(empty ? rest : String(current));
      if (operator === '-') return literal(unset ? rest : String(current));
      if (operator === ':?' || operator === '?') {
        const missing = operator === ':?' ? empty : unset;
        return missing ? problem(`\${${name}} is required: ${rest || 'set it in .env or the environment'}`) : literal(String(current));
      }
      return unset ? problem(`\${${name}} is not set; define ${name} in .env or the environment, or write $$ for a literal $`) : literal(String(current));
    });

  const walk = (node: unknown, segments: (string | number)[], scope: Vars): unknown => {
    if (typeof node === 'string') return node.includes('$') ? resolveString(node, segments, scope) : node;
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...segments, index], scope));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...segments, key], scope);
      return out;
    }
    return node;
  };

  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value, problems };
  const root = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(root)) {
    if (key !== 'projects' || !Array.isArray(child)) {
      out[key] = walk(child, [key], vars);
      continue;
    }
    out[key] = child.map((project: unknown, index) => {
      if (project === null || typeof project !== 'object' || Array.isArray(project)) return walk(project, [key, index], vars);
      const fields = project as Record<string, unknown>;
      const projectEnv = walk(fields['env'], [key, index, 'env'], vars);
      const scope = isVarMap(projectEnv) ? { ...vars, ...stringify(projectEnv) } : vars;
      return Object.fromEntries(
        Object.entries(fields).map(([field, v]) => [field, field === 'env' ? projectEnv : walk(v, [key, index, field], scope)]),
      );
    });
  }
  return { value: out, problems };
}

function isVarMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringify(map: Record<string, unknown>): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(map).map(([k, v]) => [k, v === null || v === undefined ? null : typeof v === 'object' ? null : String(v)]),
  );
}
