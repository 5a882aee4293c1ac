import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupCommit } from '../../pipeline/group-commit.ts';

describe('groupCommit', () => {
  it('commits everything handed in during one turn in one call, answering each caller with its own result', async () => {
    const calls: number[][] = [];
    const commit = groupCommit((items: readonly number[]) => {
      calls.push([...items]);
      return items.map((n) => (n < 0 ? new RangeError(`negative ${n}`) : n * 2));
    });
    const answers = await Promise.allSettled([commit(1), commit(2), commit(-3), commit(4)]);
    assert.deepEqual(calls, [[1, 2, -3, 4]]);
    assert.deepEqual(answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message)), [2, 4, 'negative -3', 8]);
    assert.deepEqual(await Promise.all([commit(5)]), [10]);
    assert.deepEqual(calls, [[1, 2, -3, 4], [5]], 'a later turn is a new batch');
  });

  it('rejects every caller of the batch when the commit itself throws', async () => {
    const commit = groupCommit((): number[] => {
      throw new Error('disk full');
    });
    const answers = await Promise.allSettled([commit(1), commit(2)]);
    assert.deepEqual(answers.map((a) => a.status === 'rejected' && (a.reason as Error).message), ['disk full', 'disk full']);
  });
});
