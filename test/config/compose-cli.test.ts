// How railyard runs compose: the plugin's binary on its own where the docker
// CLI keeps it, DOCKER_HOST handed to it, `docker compose` otherwise.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeCli } from '../../config/compose-cli.ts';
import { tempRoot } from '../helpers/runner.ts';

describe('config/compose-cli', () => {
  it('takes the plugin from $DOCKER_CONFIG/cli-plugins first, and gives it DOCKER_HOST in its environment', async () => {
    const config = await tempRoot('railyard-docker-config-');
    const plugin = join(config, 'cli-plugins', 'docker-compose');
    await mkdir(join(config, 'cli-plugins'));
    await writeFile(plugin, '#!/bin/sh\necho "standalone $DOCKER_HOST $*"\n');
    await chmod(plugin, 0o755);
    const cli = composeCli('unix:///run/other.sock', { DOCKER_CONFIG: config, PATH: process.env['PATH'] });
    assert.equal(cli.command, plugin);
    assert.deepEqual(cli.prefix, []);
    assert.equal(execFileSync(cli.command, [...cli.prefix, 'ps'], { env: cli.env, encoding: 'utf8' }).trim(), 'standalone unix:///run/other.sock ps');
    assert.equal(composeCli(undefined, { DOCKER_CONFIG: config }).env['DOCKER_HOST'], undefined);
  });

  it('skips a plugin file that cannot be run', async () => {
    const config = await tempRoot('railyard-docker-config-');
    await mkdir(join(config, 'cli-plugins'));
    await writeFile(join(config, 'cli-plugins', 'docker-compose'), 'not a program');
    assert.notEqual(composeCli(undefined, { DOCKER_CONFIG: config }).command, join(config, 'cli-plugins', 'docker-compose'));
  });

  it('finds this host\'s compose plugin, which answers on its own as compose v2', { skip: process.env['REQUIRE_DOCKER'] !== '1' && 'the test host\'s compose (REQUIRE_DOCKER=1)' }, () => {
    const cli = composeCli(undefined);
    assert.notEqual(cli.command, 'docker', 'the compose plugin is installed in a docker CLI plugin folder');
    assert.match(execFileSync(cli.command, [...cli.prefix, 'version'], { env: cli.env, encoding: 'utf8' }), /Docker Compose version v?2\./);
  });
});
