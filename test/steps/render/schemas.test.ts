// Every rendered file against the public schemas in ../shared/schemas (read at test time, not copied).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import type { RenderedFile } from '../../../steps/render/types.ts';
import { sharedPath, sharedSuiteOptions } from '../../helpers/shared.ts';
import { renderText } from './render-helpers.ts';

function compile(ajv: Ajv, name: string): ValidateFunction {
  const schema = JSON.parse(readFileSync(sharedPath(`schemas/${name}`), 'utf8')) as Record<string, unknown>;
  delete schema['$schema']; // compose-spec's draft URL is not one Ajv knows; all three are draft-07
  return ajv.compile(schema);
}

function validators(): (file: RenderedFile) => ValidateFunction | undefined {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const compose = compile(ajv, 'compose-spec.json');
  const traefik = compile(ajv, 'traefik-v3.json');
  const dynamic = compile(ajv, 'traefik-v3-file-provider.json');
  return (file) => {
    if (file.kind === 'compose') return compose;
    if (file.path === 'proxy/traefik/traefik.yml') return traefik;
    if (file.path.startsWith('proxy/traefik/dynamic/')) return dynamic;
    return undefined;
  };
}

const CROWDSEC_OFF_EXTRAS = [
  'projects:',
  '  - name: edge',
  '    services:',
  '      - host: web',
  '        image: nginx',
  '        replicas: 2',
  '        healthcheck: { test: ["CMD", "true"], interval: 5s }',
  '        ingress:',
  '          - { hostport: 2222, port: 22, router: tcp, proxyprotocol: 1 }',
  '          - { hostport: 8443, port: 443, passthrough: true, router: tcp, domain: a.example.com }',
  '          - { domain: "b.example.com, c.example.com", path_prefix: /x, path_remove: true, middlewares: [auth@file] }',
  '      - host: 10.0.0.9',
  '        ingress:',
  '          - { tls: { main: d.example.com, sans: [e.example.com] }, path_prefix: /y, path_remove: true }',
  '',
].join('\n');

describe('rendered files against the compose and Traefik schemas', sharedSuiteOptions(), () => {
  const inputs: [string, string][] = [
    ['the itsUP fixture', readFileSync(sharedPath('fixtures/itsup-db.yml'), 'utf8')],
    ['host ports, passthrough, strip, file routes, no CrowdSec', CROWDSEC_OFF_EXTRAS],
  ];
  for (const [name, text] of inputs) {
    it(`validates every compose, static and dynamic file of ${name}`, () => {
      const validatorOf = validators();
      const stack = renderText(text);
      let checked = 0;
      for (const file of stack.files) {
        const validate = validatorOf(file);
        if (validate === undefined) continue;
        checked++;
        assert.ok(validate(parse(file.content)), `${file.path}: ${JSON.stringify(validate.errors, null, 1)}`);
      }
      assert.ok(checked >= 6, `only ${checked} files checked`);
    });
  }

  it('the validators do reject wrong files (so a pass means something)', () => {
    const validatorOf = validators();
    const kinds: [RenderedFile, unknown][] = [
      [{ path: 'x/docker-compose.yml', content: '', kind: 'compose' }, { services: { a: { image: 1, restart: { bad: true } } } }],
      [{ path: 'proxy/traefik/traefik.yml', content: '', kind: 'traefik' }, { entryPoints: { web: { adress: ':80' } } }],
      [{ path: 'proxy/traefik/dynamic/x.yml', content: '', kind: 'traefik' }, { tcp: { routers: { r: { rule: 'HostSNI(`*`)' } } } }],
    ];
    for (const [file, document] of kinds) assert.equal(validatorOf(file)?.(document), false, file.path);
  });
});
