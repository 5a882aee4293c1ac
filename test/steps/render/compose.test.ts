import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { isRailyardError } from '../../../core/errors.ts';
import { config, fileOf, oneProject, renderText, serviceOf, yamlOf } from './render-helpers.ts';

/** Values as compose reads them: the file holds `$$` for each literal `$`. */
const unescape = (value: string): string => value.replaceAll('$$', '$');

describe('upstream compose file', () => {
  it('names services <project>-<host> with image, command and restart (default unless-stopped)', () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx:1.27\n        command: nginx -g "daemon off;"\n      - host: job\n        image: busybox\n        restart: "no"\n        command: [sh, -c, "echo hi"]\n'));
    const web = serviceOf(stack, 'app', 'web');
    assert.equal(web['image'], 'nginx:1.27');
    assert.equal(web['command'], 'nginx -g "daemon off;"');
    assert.equal(web['restart'], 'unless-stopped');
    const job = serviceOf(stack, 'app', 'job');
    assert.deepEqual(job['command'], ['sh', '-c', 'echo hi']);
    assert.equal(job['restart'], 'no');
  });

  it('writes env values safely: quotes, $, newlines and look-alikes of other types survive', () => {
    const env = { Q: `it's "quoted"`, D: 'pa$word ${NOT_A_VAR} $$', NL: 'line1\nline2\n', B: 'yes', NUM: '0755', E: '' };
    const text = oneProject('      - host: web\n        image: nginx\n        env:\n' +
      Object.entries(env).map(([k, v]) => `          ${k}: ${JSON.stringify(v.replaceAll('$', () => '$$'))}\n`).join(''));
    const stack = renderText(text);
    const environment = serviceOf(stack, 'app', 'web')['environment'] as Record<string, string>;
    assert.deepEqual(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, unescape(v)])), env);
    assert.match(fileOf(stack, 'upstream/app/docker-compose.yml'), /D: pa\$\$word \$\$\{NOT_A_VAR\} \$\$\$\$/);
  });

  it('prefixes depends_on with the project, in list and mapping form, leaving out services without an image', () => {
    const list = renderText(oneProject('      - host: web\n        image: nginx\n        depends_on: [db, nas]\n      - host: db\n        image: postgres\n      - host: nas\n'));
    assert.deepEqual(serviceOf(list, 'app', 'web')['depends_on'], ['app-db']);
    const map = renderText(oneProject('      - host: web\n        image: nginx\n        depends_on:\n          db:\n            condition: service_healthy\n            restart: true\n      - host: db\n        image: postgres\n'));
    assert.deepEqual(serviceOf(map, 'app', 'web')['depends_on'], { 'app-db': { condition: 'service_healthy', restart: true } });
  });

  it('exposes every ingress port with its protocol', () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n            port: 80\n          - port: 53\n            protocol: udp\n            expose: true\n'));
    assert.deepEqual(serviceOf(stack, 'app', 'web')['expose'], ['80/tcp', '53/udp']);
  });

  it('joins proxynet (external) for services with ingress, and default when the project has several services', () => {
    const one = renderText(oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n'));
    assert.deepEqual(serviceOf(one, 'app', 'web')['networks'], ['proxynet']);
    assert.deepEqual(yamlOf(one, 'upstream/app/docker-compose.yml')['networks'], { proxynet: { name: 'proxynet', external: true } });
    const two = renderText(oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n      - host: db\n        image: postgres\n'));
    assert.deepEqual(serviceOf(two, 'app', 'web')['networks'], ['default', 'proxynet']);
    assert.deepEqual(serviceOf(two, 'app', 'db')['networks'], ['default']);
    const alone = renderText(oneProject('      - host: db\n        image: postgres\n'));
    assert.equal(serviceOf(alone, 'app', 'db')['networks'], undefined);
    assert.equal(yamlOf(alone, 'upstream/app/docker-compose.yml')['networks'], undefined);
  });

  it('maps a bare /data to ./data:/data (creating the folder) and keeps src:dst[:mode]', () => {
    const stack = renderText(oneProject('      - host: db\n        image: postgres\n        volumes:\n          - /var/lib/postgresql/data\n          - ./init:/docker-entrypoint-initdb.d:ro\n          - /srv/backups:/backups\n          - cache:/cache\n'));
    assert.deepEqual(serviceOf(stack, 'app', 'db')['volumes'], [
      './var/lib/postgresql/data:/var/lib/postgresql/data',
      './init:/docker-entrypoint-initdb.d:ro',
      '/srv/backups:/backups',
      'cache:/cache',
    ]);
    assert.deepEqual(stack.dirs, ['upstream/app/var/lib/postgresql/data']);
  });

  it('keeps bare volumes inside the project folder, and refuses one naming the folder itself', () => {
    const climbing = renderText(oneProject('      - host: db\n        image: postgres\n        volumes:\n          - /../../etc\n'));
    assert.deepEqual(serviceOf(climbing, 'app', 'db')['volumes'], ['./etc:/etc']);
    assert.throws(
      () => renderText(oneProject('      - host: db\n        image: postgres\n        volumes:\n          - /\n')),
      (error: unknown) => isRailyardError(error, 'RENDER_UNSAFE_PATH'),
    );
  });

  it('merges additional_properties at the service level: new keys added, lists joined, mappings merged', () => {
    const stack = renderText(oneProject([
      '      - host: web',
      '        image: nginx',
      '        ingress:',
      '          - domain: a.example.com',
      '        additional_properties:',
      '          cpus: 0.5',
      '          expose: ["9999/tcp"]',
      '          networks:',
      '            proxynet:',
      '              aliases: [www]',
      '          ulimits:',
      '            nofile: { soft: 1024, hard: 2048 }',
      '',
    ].join('\n')));
    const web = serviceOf(stack, 'app', 'web');
    assert.equal(web['cpus'], 0.5);
    assert.deepEqual(web['expose'], ['8080/tcp', '9999/tcp']);
    assert.deepEqual(web['networks'], { proxynet: { aliases: ['www'] } });
    assert.deepEqual(web['ulimits'], { nofile: { soft: 1024, hard: 2048 } });
  });

  it('writes railyard additions: healthcheck, and deploy.replicas when not 1', () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n        replicas: 3\n        healthcheck:\n          test: ["CMD", "true"]\n          interval: 5s\n'));
    const web = serviceOf(stack, 'app', 'web');
    assert.deepEqual(web['healthcheck'], { test: ['CMD', 'true'], interval: '5s' });
    assert.deepEqual(web['deploy'], { replicas: 3 });
    assert.deepEqual(stack.projects[0]?.services[0]?.replicas, 3);
  });

  it('writes upstream/<project>/.env for project env, read back literally by compose rules', () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n', '    env:\n      A: "it\'s \\"q\\" $$HOME"\n      B: "two\\nlines"\n      C: null\n'));
    const lines = fileOf(stack, 'upstream/app/.env').split('\n');
    assert.match(lines[0] ?? '', /^# Generated by railyard from db.yml/);
    assert.deepEqual(lines.slice(1), ['A="it\'s \\"q\\" \\$HOME"', 'B="two\\nlines"', '']);
  });

  it('renders nothing for disabled projects and projects without an image', () => {
    const stack = renderText('projects:\n  - name: disabled-app\n    enabled: false\n    services:\n      - host: web\n        image: nginx\n  - name: ext\n    services:\n      - host: 10.0.0.1\n        ingress:\n          - domain: a.example.com\n');
    assert.deepEqual(stack.files.filter((f) => f.path.startsWith('upstream/')), []);
    assert.deepEqual(stack.projects.map((p) => p.name), ['proxy']);
  });

  it('starts every file with the railyard header and parses as YAML', () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n'));
    for (const file of stack.files) {
      assert.match(file.content, /^# Generated by railyard from db\.yml\. Do not edit/, file.path);
      if (file.path.endsWith('.yml')) assert.doesNotThrow(() => parse(file.content));
    }
    assert.ok(config(oneProject('      - host: web\n        image: nginx\n')));
  });
});
