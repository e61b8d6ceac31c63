import { MemoryCounters } from './rate-limit-store';

describe('MemoryCounters (the per-process fallback of the rate limits)', () => {
  it('counts within a fixed window whose expiry is set when the key is created, like INCR + PEXPIRE NX', async () => {
    const sut = new MemoryCounters();
    expect(sut.incr('k', 300)).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(sut.incr('k', 300)).toBe(2);
    expect(sut.ttlMs('k')).toBeLessThanOrEqual(281); // the second INCR did not extend the window
    await new Promise((r) => setTimeout(r, 300));
    expect(sut.get('k')).toBe(0);
    expect(sut.ttlMs('k')).toBe(0);
    expect(sut.incr('k', 300)).toBe(1);
    sut.del('k');
    expect(sut.get('k')).toBe(0);
  });

  it('stays bounded when flooded with distinct keys', () => {
    const sut = new MemoryCounters();
    for (let i = 0; i < 150_000; i++) sut.incr(`ip-${i}`, 60_000);
    expect(sut.get('ip-149999')).toBe(1);
    expect(sut.get('ip-0')).toBe(0); // the oldest made room
    expect((sut as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(100_000);
  });
});
