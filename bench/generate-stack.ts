/** A db.yml with `count` projects of two services each (web with ingress, db), for benchmarks. */
export function generateStack(count: number): string {
  const lines = ['versions:', '  traefik: v3', 'projects:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  - name: project-${i}`,
      `    description: generated project ${i}`,
      '    env:',
      `      DB_PASSWORD: secret-${i}`,
      '    services:',
      '      - host: web',
      `        image: registry.example.com/p${i}/web:1.${i % 10}`,
      '        stateless: true',
      '        replicas: 2',
      '        depends_on: [db]',
      '        env:',
      `          DATABASE_URL: postgres://app:secret-${i}@project-${i}-db/app`,
      '          LOG_LEVEL: info',
      '        healthcheck:',
      '          test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"]',
      '          interval: 5s',
      '        ingress:',
      `          - domain: p${i}.example.com`,
      '            port: 8080',
      `          - domain: api${i}.example.com`,
      '            path_prefix: /v1',
      '            path_remove: true',
      '            port: 8081',
      '      - host: db',
      '        image: postgres:16',
      '        volumes:',
      '          - /var/lib/postgresql/data',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A db.yml of `projects` with two services each (`app` stateless, `worker`) on `image`: stacks that really run. */
export function runnableStack(projects: readonly string[], image: string): string {
  const lines = ['projects:'];
  for (const project of projects) {
    lines.push(`  - name: ${project}`, '    services:');
    lines.push('      - host: app', `        image: ${image}`, '        stateless: true');
    lines.push('      - host: worker', `        image: ${image}`);
  }
  return `${lines.join('\n')}\n`;
}
