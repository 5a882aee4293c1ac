// Checks an image of railyard (deploy/container/Containerfile) from inside:
// the native module loads with the image's own libc and Node, the compose
// plugin runs, and the stack root is the railyard user's.
//   docker run --rm --entrypoint /usr/local/bin/node railyard /app/image-check.mjs
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';

const Database = createRequire('/app/package.json')('better-sqlite3');
new Database(':memory:').prepare('select 1').get();
execFileSync('/usr/local/bin/docker', ['compose', 'version'], { stdio: 'inherit' });
const root = statSync('/srv/railyard');
if (root.uid !== 10001) throw new Error(`/srv/railyard is owned by uid ${root.uid}, not railyard (10001)`);
console.log('image-check: ok');
