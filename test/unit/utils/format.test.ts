import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../src/utils/format.js';

describe('formatBytes', () => {
  it('counts in decimal units, as its labels say (1 MB = 1,000,000 bytes)', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1434)).toBe('1.4 kB');
    expect(formatBytes(2048)).toBe('2 kB');
    expect(formatBytes(340_000)).toBe('340 kB');
    expect(formatBytes(1_421_965)).toBe('1.4 MB');
    // 5 MiB is 5.2 MB and 1 GiB is 1.1 GB: a binary count would print 5.0 MB and 1.0 GB.
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.2 MB');
    expect(formatBytes(1024 * 1024 * 1024)).toBe('1.1 GB');
    expect(formatBytes(999_999)).toBe('1 MB');
  });
});
