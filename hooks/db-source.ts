import type { DbConfig } from '../config/db-types.ts';
import { fileSignature, loadDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import type { DbLocation } from '../config/stack.ts';
import { RailyardError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

/**
 * db.yml as the server sees it (which projects and services exist). It is
 * re-read when the file changes on disk (a push's sync checked out a new
 * commit) and on `refresh` (SIGHUP). A broken new version is logged once and
 * the last valid config is kept: the server never falls back to "no config".
 */
export class DbSource {
  #config: DbConfig | undefined;
  /** `mtime|size|inode` of the file `#config` or `#failure` was read from. */
  #seen: string | undefined;
  #failure: RailyardError | undefined;
  #loading: Promise<void> | undefined;

  constructor(
    readonly location: DbLocation,
    private readonly vars: Readonly<Record<string, string>>,
    private readonly log: Logger,
  ) {}

  /** The last valid config, if any was ever loaded. */
  get loaded(): DbConfig | undefined {
    return this.#config;
  }

  /** Reads the file again now. Resolves to the error when the new version is refused. */
  async refresh(): Promise<RailyardError | undefined> {
    this.#seen = undefined;
    await this.#reload();
    return this.#failure;
  }

  /** The config to answer with; throws the CONFIG_* error while no valid db.yml was ever loaded. */
  async current(): Promise<DbConfig> {
    if ((await fileSignature(this.location.path)) !== this.#seen) await this.#reload();
    if (this.#config !== undefined) return this.#config;
    throw this.#failure ?? new RailyardError('CONFIG_NOT_FOUND', `${this.location.label} is not loaded`);
  }

  #reload(): Promise<void> {
    this.#loading ??= this.#read().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #read(): Promise<void> {
    const seen = await fileSignature(this.location.path);
    const { label } = this.location;
    try {
      const result = await loadDb(this.location.path, this.vars, label);
      if (result.ok) {
        this.#config = result.config;
        this.#failure = undefined;
        this.#seen = seen;
        return;
      }
      const lines = result.problems.map(formatProblem);
      this.#failure = new RailyardError('CONFIG_INVALID', `${label} has ${lines.length} problem(s): ${lines[0] ?? ''}`);
      this.log.error({ file: label, problems: lines.slice(0, 20), kept: this.#config !== undefined }, 'db.yml is invalid: the last valid config is kept');
    } catch (error) {
      this.#failure = RailyardError.from(error);
      this.log.error({ file: label, code: this.#failure.code, kept: this.#config !== undefined }, 'db.yml not read: the last valid config is kept');
    }
    this.#seen = seen;
  }
}
