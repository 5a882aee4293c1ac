// runtime: swarm's proxy stack (issue 13) on a real single-node swarm, deployed
// as railyard renders and deploys it: db.yml → renderToDisk → computeDiff →
// applyPlan → steps/rollout/swarm.ts (`docker stack deploy` of
// proxy/docker-stack.yml, then followService).
//
// No Traefik can run here; a stand-in image takes its place, so this test
// shows the swarm side: the proxy service converging on a manager with the
// rendered placement, its entrypoints published in host mode and reached at
// the node's address from outside the node, the client's own address reaching
// the proxy (not an ingress one), a routed project's tasks reachable from the
// proxy's container on the attachable overlay proxynet by their DNS name, and
// the rendered `traefik healthcheck` satisfied. The stand-in
// (test/helpers/traefik-swarm-stand-in.ts) is tagged `traefik:<tag>` in the
// node's engine and db.yml's `versions.traefik` names that tag: the stack file
// is railyard's, unedited, and so is its healthcheck (the stand-in answers
// `traefik healthcheck` as Traefik does: GET /ping on the ping entrypoint).
// What Traefik itself does (routing by the swarm provider's labels, TLS, ACME,
// HTTP/3 on the published UDP port, CrowdSec) is not shown here. The stack's
// /var/run/docker.sock bind is the host's engine here, not the node's (test
// nodes share the host's mount namespace): the stand-in does not read it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { TEST_IMAGES } from '../helpers/docker.ts';
import { linkSwarmClient, type SwarmClient } from '../helpers/swarm-client.ts';
import { canStartSwarm, startSwarm, type TestSwarm } from '../helpers/swarm-engine.ts';
import { swarmStackDriver, type SwarmStackDriver } from '../helpers/swarm-stack.ts';
import { buildTraefikStandIn, STAND_IN_TAG } from '../helpers/traefik-swarm-stand-in.ts';

const DB = `runtime: swarm
versions:
  traefik: ${STAND_IN_TAG}
projects:
  - name: shop
    services:
      - host: web
        image: ${TEST_IMAGES.web}
        stateless: true
        replicas: 2
        ingress:
          - domain: shop.example.com
            port: 8080
`;

interface ServiceInspect {
  ID: string;
  Spec: {
    TaskTemplate: { ContainerSpec: { Image: string; Healthcheck?: { Test?: string[] } }; Placement?: { Constraints?: string[] }; Networks?: Array<{ Target: string }> };
    EndpointSpec?: { Ports?: Array<{ TargetPort: number; PublishedPort: number; Protocol: string; PublishMode: string }> };
  };
  Endpoint?: { VirtualIPs?: Array<{ NetworkID: string; Addr: string }> };
  UpdateStatus?: { State: string };
}

interface TaskInspect {
  NodeID: string;
  DesiredState: string;
  Status: { State: string; ContainerStatus?: { ContainerID?: string }; PortStatus?: { Ports?: Array<{ TargetPort: number; PublishedPort: number; Protocol: string; PublishMode: string }> } };
  NetworksAttachments?: Array<{ Network: { ID: string; Spec: { Name: string } }; Addresses: string[] }>;
}

describe('runtime: swarm proxy stack on a single-node swarm', { skip: process.getuid?.() !== 0 ? 'needs root' : false, timeout: 120_000 }, () => {
  let swarm: TestSwarm;
  let driver: SwarmStackDriver;
  let client: SwarmClient;
  let docker: SwarmStackDriver['docker'];

  before(async () => {
    assert.ok(await canStartSwarm(), 'dockerd, ip, nsenter, runc and iptables are needed (scripts/test-host.sh)');
    swarm = await startSwarm(1);
    await swarm.loadImages([TEST_IMAGES.web, TEST_IMAGES.sleeper]);
    await buildTraefikStandIn(swarm.manager);
    // No project: the whole root is planned and applied, as `railyard deploy` of every project.
    driver = await swarmStackDriver(swarm.manager.dockerHost);
    docker = driver.docker;
    client = await linkSwarmClient(swarm.manager);
  });
  after(async () => {
    await client?.remove();
    await swarm?.destroy();
    await driver?.close();
  });

  const traefik = async () => (await docker.getService('proxy_traefik').inspect()) as ServiceInspect;
  const runningTask = async (service: string): Promise<TaskInspect[]> =>
    ((await docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } })) as TaskInspect[]).filter((t) => t.Status.State === 'running');
  const inStandIn = async (script: string): Promise<string> => {
    const [task] = await runningTask('proxy_traefik');
    const id = task!.Status.ContainerStatus!.ContainerID!;
    return (await execa('docker', ['-H', swarm.manager.dockerHost, 'exec', id, 'sh', '-c', script])).stdout;
  };

  it('railyard deploys the proxy stack; Traefik\'s service converges on a manager with the rendered placement', async () => {
    const result = await driver.plan(DB);
    assert.deepEqual(result.plan.map((p) => [p.project, p.service, p.action]), [['shop', 'shop-web', 'create'], ['proxy', 'traefik', 'create']]);
    const outcome = await driver.apply(result);
    assert.deepEqual(outcome.services.map((s) => [s.service, s.ok, s.error?.message]), [['shop-web', true, undefined], ['traefik', true, undefined]]);
    // Swarm rejects a missing bind source: the deploy created the proxy's, outside proxy/.
    for (const dir of ['data/acme', 'logs']) assert.ok(existsSync(join(driver.root, dir)), dir);
    const spec = await traefik();
    assert.equal(spec.Spec.TaskTemplate.ContainerSpec.Image.replace(/@sha256:.*$/, ''), `traefik:${STAND_IN_TAG}`, 'the image db.yml names, unedited');
    assert.deepEqual(spec.Spec.TaskTemplate.Placement?.Constraints, ['node.role == manager']);
    const tasks = await runningTask(spec.ID);
    assert.equal(tasks.length, 1);
    const node = (await docker.getNode(tasks[0]!.NodeID).inspect()) as { Spec: { Role: string } };
    assert.equal(node.Spec.Role, 'manager');
    const again = await driver.plan(DB);
    assert.deepEqual(again.plan.filter((p) => p.action !== 'unchanged').map((p) => [p.service, p.action, p.reason]), [], 'a second plan of the deployed proxy is unchanged');
  });

  it('the rendered `traefik healthcheck` is the container\'s healthcheck, and the stand-in passes it', async () => {
    const spec = await traefik();
    assert.deepEqual(spec.Spec.TaskTemplate.ContainerSpec.Healthcheck?.Test, ['CMD', 'traefik', 'healthcheck']);
    const [task] = await runningTask(spec.ID);
    const container = (await swarm.manager.docker.getContainer(task!.Status.ContainerStatus!.ContainerID!).inspect()) as { State: { Health?: { Status: string; Log: Array<{ ExitCode: number; Output: string }> } } };
    // Swarm reports a task with a healthcheck as running only once it is healthy.
    assert.equal(container.State.Health?.Status, 'healthy');
    assert.deepEqual(container.State.Health.Log.map((l) => [l.ExitCode, l.Output.trim()]).at(-1), [0, 'OK']);
  });

  it('every entrypoint is published in host mode, and a client outside the node reaches it at the node\'s address', async () => {
    const spec = await traefik();
    // web-secure's HTTP/3 listener is UDP on the same port: published in host mode too.
    const wanted = [[8080, 8080, 'tcp', 'host'], [8443, 8443, 'tcp', 'host'], [8443, 8443, 'udp', 'host']];
    assert.deepEqual(spec.Spec.EndpointSpec?.Ports?.map((p) => [p.TargetPort, p.PublishedPort, p.Protocol, p.PublishMode]), wanted, 'the rendered entrypoints in host mode; ping (127.0.0.1:8082) not published');
    const [task] = await runningTask(spec.ID);
    // The task's bindings as the engine made them (one per address family: deduplicated).
    const bound = [...new Set(task!.Status.PortStatus?.Ports?.map((p) => JSON.stringify([p.TargetPort, p.PublishedPort, p.Protocol, p.PublishMode])))].map((p) => JSON.parse(p) as unknown).sort();
    assert.deepEqual(bound, wanted);
    const web = await client.get(`http://${swarm.manager.address}:8080/cgi-bin/whoami`);
    const secure = await client.get(`http://${swarm.manager.address}:8443/cgi-bin/whoami`);
    assert.match(web, /^entry=web remote=/);
    assert.match(secure, /^entry=web-secure remote=/);
    // The peer the proxy sees is the client itself: no ingress mesh (nor userland proxy) in between.
    for (const page of [web, secure]) assert.equal(page.replace(/^.* remote=/, '').replace(/^\[(?:::ffff:)?(.*)\]$/, '$1'), client.address, page);
  });

  it('the routed project\'s tasks on the attachable overlay proxynet answer the proxy\'s container by DNS name', async () => {
    const network = (await swarm.manager.docker.getNetwork('proxynet').inspect()) as { Id: string; Driver: string; Attachable: boolean; Scope: string };
    assert.deepEqual([network.Driver, network.Attachable, network.Scope], ['overlay', true, 'swarm']);
    const spec = await traefik();
    assert.ok(spec.Spec.TaskTemplate.Networks?.some((n) => n.Target === network.Id), 'the proxy service is on proxynet');
    // What Traefik's swarm provider reads: each task's address on proxynet.
    const addresses = (await runningTask('shop_shop-web'))
      .map((t) => t.NetworksAttachments?.find((a) => a.Network.ID === network.Id)?.Addresses[0]?.split('/')[0])
      .sort();
    assert.equal(addresses.length, 2);
    const resolved = await inStandIn("nslookup tasks.shop_shop-web 127.0.0.11 | sed -n 's/^Address: *\\([0-9.]*\\)$/\\1/p' | sort");
    assert.deepEqual(resolved.split('\n').filter(Boolean), addresses);
    const vip = (await docker.getService('shop_shop-web').inspect() as ServiceInspect).Endpoint?.VirtualIPs?.find((v) => v.NetworkID === network.Id)?.Addr.split('/')[0];
    const serviceName = await inStandIn("nslookup shop_shop-web 127.0.0.11 | sed -n 's/^Address: *\\([0-9.]*\\)$/\\1/p'");
    assert.equal(serviceName.trim(), vip, 'the service name resolves to its VIP on proxynet');
    // busybox nc, not wget: the static busybox's wget crashes resolving in these images. No IPVS here, so no VIP: tasks are dialled.
    const pages = await inStandIn(`for ip in ${addresses.join(' ')}; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $ip 8080 | tail -n 1; done`);
    const lines = pages.split('\n').filter(Boolean);
    assert.equal(lines.length, 2, pages);
    assert.ok(lines.every((l) => l.startsWith('railyard-test-web version=1')), pages);
  });
});
