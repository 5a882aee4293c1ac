type Json = Record<string, unknown>;

/**
 * Merges `additional_properties` into a rendered compose service. New keys are
 * appended; where railyard already wrote the key, lists are joined (without
 * repeats), mappings are merged key by key, and otherwise the user's value wins.
 * A list of names meeting a mapping (`networks: [default]` and
 * `networks: { proxynet: { aliases: [...] } }`) is read as a mapping first.
 */
export function mergeProperties(service: Json, extra: Readonly<Json>): Json {
  const out: Json = { ...service };
  for (const [key, value] of Object.entries(extra)) {
    out[key] = key in out ? mergeValue(out[key], value) : value;
  }
  return out;
}

function mergeValue(ours: unknown, theirs: unknown): unknown {
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    const seen = new Set(ours.map((item: unknown) => JSON.stringify(item)));
    return [...ours, ...theirs.filter((item: unknown) => !seen.has(JSON.stringify(item)))];
  }
  if (isNameList(ours) && isMapping(theirs)) return mergeProperties(Object.fromEntries(ours.map((name) => [name, null])), theirs);
  if (isMapping(ours) && isMapping(theirs)) return mergeProperties(ours, theirs);
  return theirs;
}

function isMapping(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
