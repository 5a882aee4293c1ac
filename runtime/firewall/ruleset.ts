/** An element of railyard's block sets: an address or network, optionally one port of one protocol. */
export interface FirewallElement {
  readonly family: 4 | 6;
  /** Canonical address or CIDR: only hex digits, `.`, `:` and `/` (checked again here before it reaches nft). */
  readonly target: string;
  readonly proto: '' | 'tcp' | 'udp';
  readonly port: number;
}

/** railyard's own table: nothing else in the ruleset is ever touched. */
export const TABLE = 'railyard';
const SAFE_TARGET = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

/** The set an element lives in: by family, and whether it names a port. */
export function setOf(element: FirewallElement): string {
  return `v${element.family}${element.port === 0 ? '' : '_port'}`;
}

/** The element as nft writes it: `192.0.2.1`, `192.0.2.0/24 . tcp . 22`. */
export function elementText(element: FirewallElement): string {
  if (!SAFE_TARGET.test(element.target)) throw new TypeError(`Not a canonical address or CIDR: ${JSON.stringify(element.target)}`);
  if (element.port === 0) return element.target;
  if (!Number.isInteger(element.port) || element.port < 1 || element.port > 65_535 || (element.proto !== 'tcp' && element.proto !== 'udp')) {
    throw new TypeError(`Not a port and protocol: ${JSON.stringify([element.proto, element.port])}`);
  }
  return `${element.target} . ${element.proto} . ${element.port}`;
}

const SETS = [
  { name: 'v4', type: 'ipv4_addr', match: 'ip saddr' },
  { name: 'v6', type: 'ipv6_addr', match: 'ip6 saddr' },
  { name: 'v4_port', type: 'ipv4_addr . inet_proto . inet_service', match: 'ip saddr . meta l4proto . th dport' },
  { name: 'v6_port', type: 'ipv6_addr . inet_proto . inet_service', match: 'ip6 saddr . meta l4proto . th dport' },
] as const;

/**
 * The whole table, replacing any earlier one in the same transaction (`nft -f`
 * applies a file atomically: the host is never without its blocks). The chain
 * hooks `prerouting` at priority `raw` in an `inet` table: ahead of Docker's
 * DNAT (priority dstnat) and of conntrack, so a blocked source reaches
 * neither the host (input) nor a container behind a published port
 * (forward), which is what Docker's DOCKER-USER chain is for. Each element
 * has its own counter (packets dropped per block); the named counter
 * `dropped` counts every drop, across element deletions.
 */
export function fullRuleset(elements: readonly FirewallElement[]): string {
  const bySet = new Map<string, string[]>(SETS.map((set) => [set.name, []]));
  for (const element of elements) bySet.get(setOf(element))!.push(elementText(element));
  const sets = SETS.map((set) => {
    const items = bySet.get(set.name)!;
    const list = items.length === 0 ? '' : `\n    elements = { ${items.join(',\n      ')} }`;
    return `  set ${set.name} {\n    type ${set.type}\n    flags interval\n    counter${list}\n  }`;
  });
  const rules = SETS.map((set) => `    ${set.match} @${set.name} counter name "dropped" drop`);
  return [
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    '  counter dropped {\n  }',
    ...sets,
    '  chain prerouting {',
    '    type filter hook prerouting priority raw; policy accept;',
    ...rules,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** The incremental change: deletions first, so a network that replaces an address it covers never overlaps it. */
export function changeScript(add: readonly FirewallElement[], remove: readonly FirewallElement[]): string {
  const line = (verb: string) => (element: FirewallElement): string => `${verb} element inet ${TABLE} ${setOf(element)} { ${elementText(element)} }`;
  return [...remove.map(line('delete')), ...add.map(line('add')), ''].join('\n');
}
