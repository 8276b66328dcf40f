import { describe, expect, it } from 'vitest';
import { formatTime, parseDuration, parseTime } from '../../../src/core/course/time.js';
import { slugify } from '../../../src/core/course/slug.js';

describe('time values', () => {
  it('parses seconds and clock times', () => {
    expect(parseTime(90)).toBe(90);
    expect(parseTime('90.25')).toBe(90.25);
    expect(parseTime('01:30')).toBe(90);
    expect(parseTime('00:01:10.500')).toBe(70.5);
    expect(parseTime('1:00:00')).toBe(3600);
    expect(parseTime('1:75')).toBeUndefined();
    expect(parseTime('abc')).toBeUndefined();
    expect(parseTime(-1)).toBeUndefined();
  });
  it('parses durations with units', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('2m30s')).toBe(150);
    expect(parseDuration('00:02:00')).toBe(120);
    expect(parseDuration('soon')).toBeUndefined();
  });
  it('formats times', () => {
    expect(formatTime(70.5)).toBe('00:01:10.500');
    expect(formatTime(3600)).toBe('01:00:00');
  });
  it('derives ids from titles', () => {
    expect(slugify('Mobile access!')).toBe('mobile-access');
    expect(slugify('Q&A: Überweisungen')).toBe('q-and-a-uberweisungen');
    expect(slugify('***')).toBe('course');
  });
});
