import { describe, expect, it } from 'vitest';
import { formatEta, renderBar } from '../../../src/ui/progress.js';

describe('renderBar', () => {
  it('shows the speed and time left the core reports as numbers', () => {
    const line = renderBar({ phase: 'encode', current: 5, total: 10, item: 'intro/one', speed: 2, eta: 62.4 }, 10);
    expect(line).toBe('encode intro/one [#####-----]  50%  2.0x ETA 1:02');
  });
  it('shows no ETA when the core does not know one', () => {
    expect(renderBar({ phase: 'zip', current: 1, total: 4 }, 4)).toBe('zip [#---]  25%');
    expect(formatEta(Number.NaN)).toBe('--:--');
  });
});
