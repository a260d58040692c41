// The in-process read-through cache behind client metadata and application rules.
import { describe, expect, it } from '@jest/globals';
import { TtlCache } from '../../src/support/ttl-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counter<V>(value: (n: number) => V) {
  let calls = 0;
  return {
    load: async () => value(++calls),
    get calls() {
      return calls;
    },
  };
}

describe('TtlCache', () => {
  it('loads once while an entry lives, and again once it has expired', async () => {
    // A lifetime long enough that a busy machine never lets it lapse between the first two calls.
    const cache = new TtlCache<number>(1000);
    const source = counter((n) => n);
    expect(await cache.get('a', source.load)).toBe(1);
    expect(await cache.get('a', source.load)).toBe(1);
    expect(source.calls).toBe(1);
    await sleep(1100);
    expect(await cache.get('a', source.load)).toBe(2);
  });

  it('shares one load between callers that ask at the same time', async () => {
    const cache = new TtlCache<number>(10_000);
    const source = counter((n) => n);
    const values = await Promise.all([cache.get('a', source.load), cache.get('a', source.load), cache.get('a', source.load)]);
    expect(values).toEqual([1, 1, 1]);
    expect(source.calls).toBe(1);
  });

  it('forgets an entry that is deleted (the owner changed the data)', async () => {
    const cache = new TtlCache<number>(10_000);
    const source = counter((n) => n);
    await cache.get('a', source.load);
    cache.delete('a');
    expect(await cache.get('a', source.load)).toBe(2);
  });

  it('does not keep what `keep` refuses, nor a failed load', async () => {
    const cache = new TtlCache<number | undefined>(10_000, (v) => v !== undefined);
    const misses = counter(() => undefined);
    await cache.get('missing', misses.load);
    await cache.get('missing', misses.load);
    expect(misses.calls).toBe(2);

    let fail = true;
    const flaky = async () => {
      if (fail) throw new Error('database away');
      return 7;
    };
    await expect(cache.get('b', flaky)).rejects.toThrow('database away');
    fail = false;
    expect(await cache.get('b', flaky)).toBe(7);
  });

  it('holds at most maxEntries, dropping the least recently used', async () => {
    const cache = new TtlCache<string>(10_000, () => true, 2);
    const loads: string[] = [];
    const load = (k: string) => async () => (loads.push(k), k);
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a')); // a is now the most recent
    await cache.get('c', load('c')); // b goes
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });
});
