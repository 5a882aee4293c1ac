// Shared by the render tests: db.yml text → validated config → rendered files.
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { DbConfig } from '../../../config/db-types.ts';
import { checkDb } from '../../../config/load-db.ts';
import { renderStack, type RenderEnv, type RenderOptions } from '../../../steps/render/render-stack.ts';
import type { RenderedStack } from '../../../steps/render/types.ts';

/** The environment the golden files are rendered with. */
export const TEST_ENV: RenderEnv = {
  trustedIpsCidrs: ['10.0.0.0/8', '192.168.0.0/16'],
  letsencryptEmail: 'ops@example.com',
  letsencryptStaging: false,
  traefikDomain: 'traefik.example.com',
  traefikAdmin: 'admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/',
};

/** Loads db.yml text as validate does; fails the test on a config problem. */
export function config(text: string, vars: Readonly<Record<string, string>> = {}): DbConfig {
  const result = checkDb(text, 'db.yml', vars);
  assert.ok(result.ok, `config invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

export function renderText(text: string, env: Partial<RenderEnv> = {}, options: RenderOptions = {}): RenderedStack {
  return renderStack(config(text), { ...TEST_ENV, ...env }, options);
}

/** A rendered file's content; fails when it was not rendered. */
export function fileOf(stack: RenderedStack, path: string): string {
  const file = stack.files.find((f) => f.path === path);
  assert.ok(file, `${path} was not rendered; got ${stack.files.map((f) => f.path).join(', ')}`);
  return file.content;
}

/** A rendered YAML file, parsed. */
export function yamlOf<T = Record<string, any>>(stack: RenderedStack, path: string): T {
  return parse(fileOf(stack, path)) as T;
}

/** The parsed compose service `<project>-<host>` of a project. */
export function serviceOf(stack: RenderedStack, project: string, host: string): Record<string, any> {
  const compose = yamlOf(stack, `upstream/${project}/docker-compose.yml`);
  const service = compose['services']?.[`${project}-${host}`];
  assert.ok(service, `no compose service ${project}-${host}`);
  return service as Record<string, any>;
}

/** Labels of a compose service as a key → value map. */
export function labelsOf(service: Record<string, any>): Map<string, string> {
  return new Map((service['labels'] as string[] ?? []).map((label) => {
    const at = label.indexOf('=');
    return [label.slice(0, at), label.slice(at + 1)] as [string, string];
  }));
}

/** A one-project db.yml with the given service block (YAML, indented for `services:`). */
export function oneProject(services: string, extra = ''): string {
  return `projects:\n  - name: app\n${extra}    services:\n${services}`;
}
