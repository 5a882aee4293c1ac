interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit (issue 6, P3): every item handed in during one turn of the event
 * loop goes to ONE call of `commitAll` (one transaction, one fsync), on the
 * next `setImmediate`. Each caller is answered after that commit, with its own
 * result or the Error that refused its item alone; when `commitAll` throws,
 * nothing of the batch stuck and every caller gets that error.
 */
export function groupCommit<T, R>(commitAll: (items: readonly T[]) => readonly (R | Error)[]): (item: T) => Promise<R> {
  let batch: Waiting<T, R>[] = [];
  const flush = (): void => {
    const waiting = batch;
    batch = [];
    let results: readonly (R | Error)[];
    try {
      results = commitAll(waiting.map((w) => w.item));
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    waiting.forEach((w, i) => {
      const result = results[i];
      if (result instanceof Error) w.reject(result);
      else w.resolve(result as R);
    });
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (batch.length === 0) setImmediate(flush);
      batch.push({ item, resolve, reject });
    });
}
