// Parts 4 and 5 of bench/commands.ts: `apply <one project>` and a stack-wide
// `plan` with nothing to do, against itsUP's command sequence, on projects
// brought up on the engine first (not timed) and removed at the end.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import PQueue from 'p-queue';
import { alternate, ms, railyard, ROUNDS } from './command-timing.ts';
import { runnableStack } from './generate-stack.ts';

const IMAGE = '127.0.0.1:5000/railyard-test/sleeper:1';
const HOSTS = ['app', 'worker'];

/** itsUP's sequence for one project: `up -d`, then the hash check of each service. */
async function itsupDeploy(root: string, project: string): Promise<void> {
  const cwd = join(root, 'upstream', project);
  await execa('docker', ['compose', 'up', '-d'], { cwd });
  for (const host of HOSTS) {
    const service = `${project}-${host}`;
    const hash = (await execa('docker', ['compose', 'config', '--hash', service], { cwd })).stdout.trim().split(/\s+/)[1];
    const ids = (await execa('docker', ['ps', '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.ID}}'])).stdout.split('\n').filter(Boolean);
    const running = (await execa('docker', ['inspect', ids[0] ?? '', '--format', '{{index .Config.Labels "com.docker.compose.config-hash"}}'], { reject: false })).stdout.trim();
    if (hash === undefined || hash !== running) throw new Error(`itsUP sequence: ${service} differs`);
  }
}

export async function dockerFigures(count: number, prefix: string): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'railyard-bench-cmd-docker-'));
  const projects = Array.from({ length: count }, (_, i) => `${prefix}p${i}`);
  try {
    await writeFile(join(root, 'db.yml'), runnableStack(projects, IMAGE));
    await railyard(root, ['render'])();
    console.error(`bringing up ${count} projects (not timed)…`);
    // One project at a time: concurrent applies of one root can leave a run queued with no process
    // to run it (seen here: two applies waited 17 minutes), and `apply` of the whole stack also
    // deploys the proxy, whose images come from Docker Hub.
    for (const project of projects) await railyard(root, ['apply', project])();
    const one = projects[0]!;
    const apply = await alternate({
      railyard: railyard(root, ['apply', one]),
      itsup: () => itsupDeploy(root, one),
    });
    const plan = await alternate({
      railyard: railyard(root, ['plan', '--detailed-exitcode'], [0, 2]), // 2: the proxy (Traefik) is not deployed here
      itsup: async () => {
        for (const project of projects) await itsupDeploy(root, project);
      },
    });
    return [
      `\`railyard apply <one project>\`, nothing to do (2 services running), whole commands, medians of ${ROUNDS}:`,
      `  railyard apply:                         ${ms(apply['railyard']!)}`,
      `  baseline itsUP sequence (1 compose up -d, 2x config --hash, docker ps, docker inspect): ${ms(apply['itsup']!)}   railyard ${(apply['itsup']! / apply['railyard']!).toFixed(2)}x faster`,
      `stack-wide no-change \`railyard plan\`, ${count} projects / ${count * HOSTS.length} services running, whole commands, medians of ${ROUNDS}:`,
      `  railyard plan:                          ${ms(plan['railyard']!)}`,
      `  baseline itsUP sequence (${count * (1 + 3 * HOSTS.length)} processes): ${ms(plan['itsup']!)}   ratio ${(plan['itsup']! / plan['railyard']!).toFixed(0)}x (target >= 100x)`,
    ];
  } finally {
    await new PQueue({ concurrency: 6 }).addAll(projects.map((p) => () => execa('docker', ['compose', '-p', p, 'down', '-t', '0', '--remove-orphans'], { reject: false, cwd: root })));
    await rm(root, { recursive: true, force: true });
  }
}
