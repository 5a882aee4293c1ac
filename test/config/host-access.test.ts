import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { hostAccessFindings } from '../../config/host-access.ts';
import { checkDb } from '../../config/load-db.ts';
import { formatProblem } from '../../config/problem.ts';
import { sharedPath, sharedSuiteOptions } from '../helpers/shared.ts';

/** One project `app` whose service `web` has `lines` (indented under the service). */
const withService = (lines: string): string => `projects:\n  - name: app\n    services:\n      - host: web\n        image: nginx\n${lines}`;

const TAKEOVER: [string, string, RegExp][] = [
  ['privileged', '        additional_properties:\n          privileged: true\n', /privileged: true gives the container every device/],
  ['cap_add ALL', '        additional_properties:\n          cap_add: [ALL]\n', /cap_add: ALL gives the container every Linux capability/],
  ['cap_add SYS_ADMIN', '        additional_properties:\n          cap_add: [CAP_SYS_ADMIN]\n', /cap_add: SYS_ADMIN/],
  ['network_mode host', '        additional_properties:\n          network_mode: host\n', /network_mode: host gives the container the host's network stack/],
  ['pid host', '        additional_properties:\n          pid: host\n', /pid: host gives the container every process of the host/],
  ['ipc host', '        additional_properties:\n          ipc: host\n', /ipc: host/],
  ['devices', '        additional_properties:\n          devices: ["/dev/sda:/dev/sda"]\n', /devices: \/dev\/sda:\/dev\/sda gives the container direct access/],
  ['the Docker socket', '        volumes:\n          - /var/run/docker.sock:/var/run/docker.sock\n', /volume \/var\/run\/docker\.sock gives the container the Docker engine/],
  ['/', '        volumes:\n          - /:/host:ro\n', /volume \/ gives the container the host's whole filesystem/],
  ['/etc', '        volumes:\n          - /etc/:/host-etc\n', /volume \/etc gives/],
  ['/root', '        volumes:\n          - /root:/r\n', /volume \/root gives/],
  // Long syntax is merged from additional_properties when the service sets no volumes of its own.
  ['a long-syntax socket mount', '        additional_properties:\n          volumes:\n            - type: bind\n              source: /run/docker.sock\n              target: /s\n', /volume \/run\/docker\.sock gives the container the Docker engine/],
  ['another engine socket path', '        volumes:\n          - /run/user/1000/podman/podman.sock:/var/run/docker.sock\n', /podman\.sock gives the container the Docker engine/],
];

describe('settings that take over the host', () => {
  for (const [name, lines, message] of TAKEOVER) {
    it(`warns about ${name}, placed, saying what it grants; HOST_ACCESS=refuse refuses it unless HOST_ACCESS_ALLOW names the project`, () => {
      const text = withService(lines);
      const warned = checkDb(text, 'db.yml', {});
      assert.ok(warned.ok, JSON.stringify(!warned.ok && warned.problems));
      const hosts = warned.warnings.filter((w) => w.code === 'HOST_ACCESS');
      assert.equal(hosts.length, 1, JSON.stringify(warned.warnings));
      assert.match(hosts[0]!.message, message);
      assert.ok(hosts[0]!.line >= 6, formatProblem(hosts[0]!));
      const refused = checkDb(text, 'db.yml', { HOST_ACCESS: 'refuse' });
      assert.ok(!refused.ok);
      assert.deepEqual(refused.problems.map((p) => [p.code, p.line]), [['HOST_ACCESS_REFUSED', hosts[0]!.line]]);
      assert.match(formatProblem(refused.problems[0]!), /HOST_ACCESS_ALLOW/);
      assert.ok(checkDb(text, 'db.yml', { HOST_ACCESS: 'refuse', HOST_ACCESS_ALLOW: 'other, app' }).ok);
    });
  }

  it('leaves ordinary settings alone: NET_ADMIN, bare volumes, /etc subfolders, relative binds', () => {
    const text = withService('        additional_properties:\n          cap_add: [NET_ADMIN]\n          network_mode: bridge\n        volumes:\n          - /etc/openvpn\n          - /etc/ssl/certs:/etc/ssl/certs:ro\n          - ./conf:/conf\n');
    const result = checkDb(text, 'db.yml', { HOST_ACCESS: 'refuse' });
    assert.ok(result.ok);
    assert.deepEqual(result.warnings.filter((w) => w.code === 'HOST_ACCESS'), []);
  });

  it("accepts itsUP's sample (cap_add: NET_ADMIN for the VPN) by default and under HOST_ACCESS=refuse", sharedSuiteOptions(), async () => {
    const text = await readFile(sharedPath('fixtures/itsup-db.yml'), 'utf8');
    for (const vars of [{}, { HOST_ACCESS: 'refuse' }]) {
      const result = checkDb(text, 'itsup-db.yml', vars);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
      assert.deepEqual(result.warnings.filter((w) => w.code === 'HOST_ACCESS'), []);
    }
  });

  it('finds the settings of a frozen project it has seen before at its new index', () => {
    const checked = checkDb(withService('        additional_properties:\n          privileged: true\n'), 'db.yml', {});
    assert.ok(checked.ok);
    const app = checked.config.projects[0]!;
    const other = { ...app, name: 'other', services: [] };
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(hostAccessFindings(checked.config).map((f) => f.segments), [['projects', 0, 'services', 0, 'additional_properties', 'privileged']]);
      assert.deepEqual(hostAccessFindings({ ...checked.config, projects: [other, app] }).map((f) => [f.project, ...f.segments]), [['app', 'projects', 1, 'services', 0, 'additional_properties', 'privileged']]);
    }
  });
});
