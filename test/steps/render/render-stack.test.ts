import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DbConfig } from '../../../config/db-types.ts';
import { isRailyardError } from '../../../core/errors.ts';
import { renderStack } from '../../../steps/render/render-stack.ts';
import { config, oneProject, renderText, TEST_ENV } from './render-helpers.ts';

const TEXT = oneProject('      - host: web\n        image: nginx\n        env:\n          A: "1"\n        ingress:\n          - domain: a.example.com\n          - hostport: 2222\n            port: 22\n            router: tcp\n');

describe('renderStack', () => {
  it('is deterministic: the same input gives byte-identical files', () => {
    const loaded = config(TEXT);
    const a = renderStack(loaded, TEST_ENV);
    const b = renderStack(structuredClone(loaded) as DbConfig, { ...TEST_ENV });
    assert.deepEqual(a.files.map((f) => [f.path, f.content]), b.files.map((f) => [f.path, f.content]));
  });

  it('renders the upstream files, then the proxy compose file, static config and the four dynamic files', () => {
    assert.deepEqual(renderText(TEXT).files.map((f) => f.path), [
      'upstream/app/docker-compose.yml',
      'proxy/docker-compose.yml',
      'proxy/traefik/traefik.yml',
      'proxy/traefik/dynamic/routers-http.yml',
      'proxy/traefik/dynamic/routers-tcp.yml',
      'proxy/traefik/dynamic/routers-udp.yml',
      'proxy/traefik/dynamic/middleware.yml',
    ]);
  });

  it('refuses a project name that is not safe as a folder name (the loader normally stops it first)', () => {
    const loaded = structuredClone(config(TEXT)) as unknown as { projects: { name: string }[] };
    loaded.projects[0]!.name = '../escape';
    assert.throws(() => renderStack(loaded as unknown as DbConfig, TEST_ENV), (error: unknown) => isRailyardError(error, 'RENDER_UNSAFE_PATH'));
  });

  it('returns warnings for ingresses it cannot route', () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n        ingress:\n          - port: 53\n            router: udp\n'));
    assert.equal(stack.warnings.length, 1);
    assert.match(stack.warnings[0] ?? '', /^app\/web port 53:/);
  });
});
