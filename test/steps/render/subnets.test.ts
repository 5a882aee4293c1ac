import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RailyardError } from '../../../core/errors.ts';
import { parseCidr, poolCapacity, subnetAllocator, type AllocateInput } from '../../../steps/render/subnets.ts';

const POOL = { cidr: '10.213.0.0/16', prefix: 26 };
const names = (n: number, prefix = 'p'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function allocate(input: Partial<AllocateInput> & { projects: readonly string[] }): Record<string, string> {
  const allocator = subnetAllocator({ pool: POOL, previous: {}, engine: [], ...input });
  for (const project of input.projects) allocator.subnetOf(project);
  return allocator.assigned();
}

function assertDisjoint(subnets: readonly string[]): void {
  const ranges = subnets.map((s) => parseCidr(s)!).sort((a, b) => a.first - b.first);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]!.first > ranges[i - 1]!.last, `overlap: ${subnets.join(' ')}`);
}

describe('steps/render/subnets', () => {
  it('gives 1,000 projects disjoint /26s inside the pool', () => {
    assert.equal(poolCapacity(POOL), 1024);
    const got = allocate({ projects: names(1000) });
    const subnets = Object.values(got);
    assert.equal(subnets.length, 1000);
    assertDisjoint(subnets);
    const pool = parseCidr(POOL.cidr)!;
    for (const s of subnets) assert.ok(s.endsWith('/26') && parseCidr(s)!.first >= pool.first && parseCidr(s)!.last <= pool.last, s);
  });

  it('is deterministic, and adding or removing other projects moves no one', () => {
    const first = allocate({ projects: names(50) });
    assert.deepEqual(allocate({ projects: names(50) }), first);
    // A render with more projects, then one without some: what the file keeps decides, nothing moves.
    const grown = allocate({ projects: ['new-a', ...names(50), 'new-b'], previous: first });
    for (const [project, subnet] of Object.entries(first)) assert.equal(grown[project], subnet, project);
    const shrunk = allocate({ projects: names(50).slice(10), previous: grown });
    for (const project of names(50).slice(10)) assert.equal(shrunk[project], first[project]);
  });

  it('skips subnets that overlap a network already on the engine, and moves a kept one that is now taken', () => {
    const alone = allocate({ projects: ['shop'] })['shop']!;
    const engine = [{ name: 'someone-else', subnets: [alone] }];
    const moved = allocate({ projects: ['shop'], previous: { shop: alone }, engine })['shop']!;
    assert.notEqual(moved, alone);
    assertDisjoint([moved, alone]);
    // A wide foreign network covering a quarter of the pool blocks all of its slots.
    const wide = [{ name: 'wide', subnets: ['10.213.0.0/18'] }];
    for (const subnet of Object.values(allocate({ projects: names(200), engine: wide }))) assert.ok(parseCidr(subnet)!.first >= parseCidr('10.213.64.0/18')!.first, subnet);
  });

  it("adopts the subnet of a project's existing default network, even outside the pool", () => {
    const engine = [{ name: 'shop_default', subnets: ['172.18.0.0/16'] }];
    assert.deepEqual(allocate({ projects: ['Shop'], engine }), { Shop: '172.18.0.0/16' });
  });

  it('says so when the pool is full', () => {
    const small = { cidr: '10.213.0.0/24', prefix: 26 };
    const allocator = subnetAllocator({ projects: names(5), pool: small, previous: {}, engine: [] });
    for (const project of names(4)) allocator.subnetOf(project);
    assert.throws(() => allocator.subnetOf('p4'), (error: unknown) => error instanceof RailyardError && error.code === 'NETWORK_POOL_EXHAUSTED');
  });
});
