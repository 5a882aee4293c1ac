import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** A delta bigger than this (or than a tenth of the entries) is folded into the base file. */
const MAX_DELTA = 64;

interface BaseJson<V> {
  readonly version: number;
  readonly id: string;
  readonly key: string;
  readonly entries: Record<string, V>;
}

interface DeltaJson<V> {
  readonly version: number;
  readonly base: string;
  readonly key: string;
  readonly set: Record<string, V>;
  readonly removed: readonly string[];
}

/**
 * Entries keyed by name, all made under one key, kept in a file between
 * processes (issue 17 item 4: the render and validation caches). Saving a few
 * changed entries writes only them, to `<file>.delta`; a big delta, or a new
 * key, rewrites the base file. Each file is replaced whole (temp file, rename)
 * and is the owner's only (the entries may hold secrets). A file that is
 * absent, damaged or of another version reads as empty: the caller computes
 * again what it would have held. Every entry must be checkable by its reader,
 * so that a file written by another process (or older) is never trusted blindly.
 */
export class CacheFile<V> {
  key: string | undefined;
  entries = new Map<string, V>();
  #base: string | undefined;
  /** Names whose entry differs from the base file's (set or removed since). */
  #delta = new Set<string>();
  #dirty = false;

  constructor(readonly file: string | undefined, readonly version: number) {}

  /** The entries the file holds (none when it cannot be read). */
  static async open<V>(file: string, version: number): Promise<CacheFile<V>> {
    const cache = new CacheFile<V>(file, version);
    const base = await readJson<BaseJson<V>>(file);
    if (base?.version !== version || typeof base.id !== 'string' || typeof base.key !== 'string' || !isObject(base.entries)) return cache;
    cache.key = base.key;
    cache.#base = base.id;
    cache.entries = new Map(Object.entries(base.entries));
    const delta = await readJson<DeltaJson<V>>(`${file}.delta`);
    if (delta?.version === version && delta.base === base.id && delta.key === base.key && isObject(delta.set) && Array.isArray(delta.removed)) {
      for (const [name, value] of Object.entries(delta.set)) {
        cache.entries.set(name, value);
        cache.#delta.add(name);
      }
      for (const name of delta.removed) {
        cache.entries.delete(String(name));
        cache.#delta.add(String(name));
      }
    }
    return cache;
  }

  /** Starts work under `key`: entries made under another key are dropped. */
  begin(key: string): void {
    if (key === this.key) return;
    this.#dirty ||= this.entries.size > 0 || this.#base !== undefined;
    this.entries = new Map();
    this.key = key;
    this.#base = undefined; // the next save rewrites the base
    this.#delta.clear();
  }

  get dirty(): boolean {
    return this.#dirty;
  }

  set(name: string, value: V): void {
    this.entries.set(name, value);
    this.#delta.add(name);
    this.#dirty = true;
  }

  delete(name: string): void {
    if (!this.entries.delete(name)) return;
    this.#delta.add(name);
    this.#dirty = true;
  }

  /** Writes what changed since the file was read or last saved; nothing without a file or a change. */
  async save(): Promise<void> {
    if (this.file === undefined || !this.#dirty || this.key === undefined) return;
    const file = this.file;
    await mkdir(dirname(file), { recursive: true });
    if (this.#base === undefined || this.#delta.size > Math.max(MAX_DELTA, this.entries.size / 10)) {
      const id = randomBytes(9).toString('base64url');
      await replace(file, JSON.stringify({ version: this.version, id, key: this.key, entries: Object.fromEntries(this.entries) } satisfies BaseJson<V>));
      await rm(`${file}.delta`, { force: true });
      this.#base = id;
      this.#delta.clear();
    } else {
      const set: Record<string, V> = {};
      const removed: string[] = [];
      for (const name of this.#delta) {
        const value = this.entries.get(name);
        if (value === undefined) removed.push(name);
        else set[name] = value;
      }
      await replace(`${file}.delta`, JSON.stringify({ version: this.version, base: this.#base, key: this.key, set, removed } satisfies DeltaJson<V>));
    }
    this.#dirty = false;
  }
}

async function readJson<T>(file: string): Promise<Partial<T> | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? (value as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

async function replace(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
