import type { TransactionSql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { composeListeners } from './change-listeners.js';
import type { AccidentChange } from './store.js';

describe('composeListeners', () => {
  const tx = {} as TransactionSql; // never touched by these listeners
  const change = { action: 'create', actor: 'agent1', report: { id: '1' } } as unknown as AccidentChange;

  it('calls every listener in order with the same transaction and change, skipping absent ones', async () => {
    const calls: string[] = [];
    const listener = (name: string) => async (seenTx: TransactionSql, seen: AccidentChange) => {
      expect(seenTx).toBe(tx);
      expect(seen).toBe(change);
      calls.push(name);
    };
    await composeListeners(listener('audit'), undefined, listener('outbox'))(tx, change);
    expect(calls).toEqual(['audit', 'outbox']);
  });

  it('stops at the first failure and passes it on, so the change rolls back', async () => {
    const calls: string[] = [];
    const failing = async () => {
      throw new Error('outbox full');
    };
    const composed = composeListeners(failing, async () => void calls.push('after'));
    await expect(composed(tx, change)).rejects.toThrow('outbox full');
    expect(calls).toEqual([]);
  });
});
