import { cleanText } from './clean-text.ts';

/** What the report takes from an RDAP `ip network` object (RFC 9083). */
export interface RdapInfo {
  readonly org_name: string;
  readonly country: string;
  /** Abuse contacts' e-mail addresses (all contacts' when no abuse contact has one), sorted. */
  readonly emails: string;
  readonly phone: string;
  /** The first remark, its lines joined. */
  readonly description: string;
}

type Json = Readonly<Record<string, unknown>>;

/**
 * Reads the organisation (the registrant's vCard `fn`, else the network's
 * name), country, abuse e-mails and phones (nested entities included) and
 * remarks. Tolerates missing and odd-shaped fields: registries differ.
 */
export function parseRdap(body: unknown): RdapInfo {
  const network = isObject(body) ? body : {};
  const entities = flatten(network);
  const registrant = entities.find((e) => roles(e).includes('registrant') && fn(e) !== '');
  const org = registrant ?? entities.find((e) => vcardValues(e, 'kind').includes('org') && fn(e) !== '');
  const abuse = entities.filter((e) => roles(e).includes('abuse'));
  const pick = (property: string): string[] => {
    const fromAbuse = abuse.flatMap((e) => vcardValues(e, property));
    return fromAbuse.length > 0 ? fromAbuse : entities.flatMap((e) => vcardValues(e, property));
  };
  return {
    org_name: cleanText(org === undefined ? text(network['name']) : fn(org)),
    country: cleanText(text(network['country'])),
    emails: join(pick('email')),
    phone: join(pick('tel').map((tel) => tel.replace(/^tel:/i, ''))),
    description: cleanText(remark(network['remarks'])),
  };
}

/** Every entity, depth first (abuse contacts sit inside the registrant in ARIN's answers). */
function flatten(node: Json, depth = 0): Json[] {
  const children = Array.isArray(node['entities']) ? node['entities'].filter(isObject) : [];
  return depth > 4 ? [] : children.flatMap((child) => [child, ...flatten(child, depth + 1)]);
}

function roles(entity: Json): string[] {
  return Array.isArray(entity['roles']) ? entity['roles'].map((r) => String(r).toLowerCase()) : [];
}

function fn(entity: Json): string {
  return vcardValues(entity, 'fn')[0] ?? '';
}

/** Values of one vCard property: `["vcard", [[name, params, type, value], ...]]` (jCard, RFC 7095). */
function vcardValues(entity: Json, property: string): string[] {
  const vcard = entity['vcardArray'];
  const items = Array.isArray(vcard) && Array.isArray(vcard[1]) ? (vcard[1] as unknown[]) : [];
  return items
    .filter((item): item is unknown[] => Array.isArray(item) && String(item[0]).toLowerCase() === property)
    .map((item) => text(item[3]))
    .filter((value) => value !== '');
}

function remark(remarks: unknown): string {
  const first: unknown = Array.isArray(remarks) ? remarks[0] : undefined;
  if (!isObject(first)) return '';
  const description = first['description'];
  return Array.isArray(description) ? description.map(text).join(' ') : text(description);
}

function join(values: readonly string[]): string {
  return [...new Set(values.map(cleanText).filter((v) => v !== ''))].sort().join(', ');
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
