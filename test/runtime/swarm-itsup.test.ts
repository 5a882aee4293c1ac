// One db.yml, both runtimes: the shared itsUP fixture (test images in place of
// the real ones) deploys under runtime: compose on the shared engine and under
// runtime: swarm on a single-node swarm of its own, and every service serves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { uniqueName } from '../helpers/compose-project.ts';
import { TEST_IMAGES } from '../helpers/docker.ts';
import { sharedPath, sharedSuiteOptions } from '../helpers/shared.ts';
import { canStartSwarm, fetchTasks, startSwarm, type TestSwarm } from '../helpers/swarm-engine.ts';
import { swarmStackDriver, type SwarmStackDriver } from '../helpers/swarm-stack.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The fixture with the web test image everywhere (it serves :8080 and has a healthcheck), names prefixed. */
function fixture(runtime: 'compose' | 'swarm', prefix: string): { text: string; projects: { name: string; services: string[] }[] } {
  const db = parse(readFileSync(sharedPath('fixtures/itsup-db.yml'), 'utf8')) as Json;
  db['runtime'] = runtime;
  const projects: { name: string; services: string[] }[] = [];
  for (const project of db['projects'] as Json[]) {
    project['name'] = `${prefix}-${String(project['name']).toLowerCase()}`;
    const withImage = (project['services'] as Json[]).filter((s) => s['image'] !== undefined);
    for (const service of withImage) {
      service['image'] = TEST_IMAGES.web;
      delete service['command'];
      // Limits and capabilities are not what is tested (this sandbox refuses raising RLIMIT_NOFILE).
      service['additional_properties'] = {};
      for (const ingress of service['ingress'] ?? []) if (ingress['hostport'] === undefined) ingress['port'] = 8080;
    }
    if (project['enabled'] !== false && withImage.length > 0) projects.push({ name: project['name'], services: withImage.map((s) => `${project['name']}-${s['host']}`) });
  }
  // udp on a host port is the proxy's business; the service itself serves http on 8080.
  const vpn = (db['projects'] as Json[]).find((p) => String(p['name']).endsWith('-vpn'))!;
  vpn['services'][0]['ingress'] = [{ domain: 'vpn.example.com', port: 8080 }];
  return { text: stringify(db), projects };
}

describe('the itsUP fixture under runtime: compose and runtime: swarm', { ...sharedSuiteOptions(), skip: process.getuid?.() !== 0 ? 'needs root' : (sharedSuiteOptions().skip ?? false), timeout: 300_000 }, () => {
  let swarm: TestSwarm;
  const drivers: SwarmStackDriver[] = [];
  const composeProjects: string[] = [];

  before(async () => {
    assert.ok(await canStartSwarm());
    swarm = await startSwarm(1);
    await swarm.loadImages([TEST_IMAGES.web, TEST_IMAGES.sleeper]);
  });
  after(async () => {
    for (const project of composeProjects) await execa('docker', ['compose', '-p', project, 'down', '-v', '-t', '1'], { reject: false, env: { DOCKER_HOST: '' } });
    await swarm?.destroy();
    for (const driver of drivers) await driver.close();
  });

  it('deploys with compose on the shared engine; every container serves (healthy)', async () => {
    const { text, projects } = fixture('compose', uniqueName('ry-itsup'));
    for (const project of projects) {
      const driver = await swarmStackDriver('unix:///var/run/docker.sock', project.name);
      drivers.push(driver);
      composeProjects.push(project.name);
      const result = await driver.apply(await driver.plan(text));
      assert.ok(result.services.every((s) => s.ok), JSON.stringify(result.services.map((s) => [s.service, s.error?.message])));
      for (const service of project.services) {
        // compose up returns once the containers start; their healthcheck GETs the page.
        let status = '';
        for (const deadline = Date.now() + 30_000; !/\(healthy\)/.test(status) && Date.now() < deadline; await sleep(500)) {
          status = (await execa('docker', ['ps', '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.Status}}'], { env: { DOCKER_HOST: '' } })).stdout;
        }
        assert.match(status, /\(healthy\)/, `${service}: ${status}`);
      }
    }
  });

  it('deploys with swarm; every routed service serves on proxynet, every task runs', async () => {
    const { text, projects } = fixture('swarm', 'itsup');
    for (const project of projects) {
      const driver = await swarmStackDriver(swarm.manager.dockerHost, project.name);
      drivers.push(driver);
      const result = await driver.apply(await driver.plan(text));
      assert.ok(result.services.every((s) => s.ok), JSON.stringify(result.services.map((s) => [s.service, s.error?.message])));
      const again = await driver.plan(text);
      assert.equal(again.changes, 0, JSON.stringify(again.plan.map((p) => [p.service, p.reason])));
    }
    for (const service of ['itsup-shop-web', 'itsup-minio-app', 'itsup-vpn-openvpn']) {
      const stack = service.split('-').slice(0, 2).join('-');
      const pages = await fetchTasks(swarm.manager, 'proxynet', `${stack}_${service}`, 8080, TEST_IMAGES.sleeper);
      assert.ok(pages.length >= 1 && pages.every((p) => p.startsWith('railyard-test-web version=1')), `${service}: ${pages.join(' | ')}`);
    }
  });
});
