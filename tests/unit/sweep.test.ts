import { describe, expect, test } from 'vitest';
import { isStale } from '../../helpers/engine/sweep.ts';
import { LABEL_HOST, LABEL_PID, LABEL_RUN } from '../../helpers/engine/labels.ts';

const labels = (run: string, host: string, pid: number) => ({
  [LABEL_RUN]: run,
  [LABEL_HOST]: host,
  [LABEL_PID]: String(pid),
});

describe('stale run detection', () => {
  test('a dead process on this host left a stale run', () =>
    expect(isStale(labels('r1', 'h', 42), 'me', 'h', () => false)).toBe(true));
  test('a live process is not stale', () => expect(isStale(labels('r1', 'h', 42), 'me', 'h', () => true)).toBe(false));
  test('our own run is never stale', () => expect(isStale(labels('me', 'h', 42), 'me', 'h', () => false)).toBe(false));
  test('another host’s run is left alone (its pids mean nothing here)', () =>
    expect(isStale(labels('r1', 'other', 42), 'me', 'h', () => false)).toBe(false));
  test('unlabelled things are never stale', () => expect(isStale({}, 'me', 'h', () => false)).toBe(false));
});
