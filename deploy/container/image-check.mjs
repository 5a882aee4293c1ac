// Run once while the image is built (deploy/container/Containerfile).
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const Database = createRequire('/app/package.json')('better-sqlite3');
new Database(':memory:').prepare('select 1').get();
execFileSync('/usr/local/bin/docker', ['compose', 'version'], { stdio: 'inherit' });
mkdirSync('/srv/railyard', { recursive: true });
chownSync('/srv/railyard', 10001, 10001);
