// A client outside a test swarm node: its own network namespace, linked to
// the node by a veth pair on a /30 of its own, with a route to the node's
// address (test/helpers/swarm-engine.ts) through that link. What it sends
// reaches the node's address from outside the node's network namespace,
// as a client on the LAN would.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { SwarmNode } from './swarm-engine.ts';

export interface SwarmClient {
  /** The client's own address: what a server that sees the real peer reports. */
  readonly address: string;
  /** GETs `url` with curl inside the client's namespace; the body, or throws. */
  get(url: string): Promise<string>;
  remove(): Promise<void>;
}

export async function linkSwarmClient(node: SwarmNode): Promise<SwarmClient> {
  const id = randomBytes(3).toString('hex');
  const netns = `ryswc${id}`;
  const [outside, inside] = [`rycl${id}a`, `rycl${id}b`];
  const subnet = `10.97.${randomBytes(1)[0]! % 250}`;
  const [nodeSide, address] = [`${subnet}.1`, `${subnet}.2`];
  const ip = (...argv: string[]) => execa('ip', argv);
  const remove = async (): Promise<void> => {
    await execa('ip', ['netns', 'delete', netns], { reject: false }); // takes the veth pair with it
  };
  try {
    await ip('netns', 'add', netns);
    await ip('-n', netns, 'link', 'set', 'lo', 'up');
    await ip('-n', netns, 'link', 'add', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', node.name);
    await ip('-n', netns, 'addr', 'add', `${address}/30`, 'dev', outside);
    await ip('-n', node.name, 'addr', 'add', `${nodeSide}/30`, 'dev', inside);
    await ip('-n', netns, 'link', 'set', outside, 'up');
    await ip('-n', node.name, 'link', 'set', inside, 'up');
    await ip('-n', netns, 'route', 'add', `${node.address}/32`, 'via', nodeSide);
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    address,
    async get(url) {
      const result = await execa('ip', ['netns', 'exec', netns, 'curl', '-sS', '--fail', '--max-time', '3', url]);
      return result.stdout;
    },
    remove,
  };
}
