import { describe, expect, test } from 'vitest';
import { elfMachine, machineForArch } from '../../helpers/facts/elf.ts';
import { MarkerScanner, multiCallScanner } from '../../helpers/facts/marker-scan.ts';
import { elfHeader } from '../support/tar-fixture.ts';

function scan(buf: Buffer, cut: number[]): Set<string> {
  const s = multiCallScanner();
  let at = 0;
  for (const c of [...cut, buf.length]) {
    s.feed(buf.subarray(at, c));
    at = c;
  }
  return s.found;
}

describe('MarkerScanner', () => {
  const text = Buffer.from('xxxxxxxxxxBusyBox v1.36.1 multi-call binaryyyyyyyyy');
  const at = text.indexOf('BusyBox v');

  test('finds a marker at every possible split point', () => {
    for (let cut = 0; cut <= text.length; cut++)
      expect(scan(text, [cut]), `cut at ${cut}`).toEqual(new Set(['busybox']));
  });

  test('finds a marker spread over one-byte chunks and over three pieces', () => {
    expect(scan(text, [...Array(text.length).keys()])).toEqual(new Set(['busybox']));
    expect(scan(text, [at + 2, at + 5])).toEqual(new Set(['busybox']));
  });

  test('does not invent a marker from pieces that were never adjacent', () => {
    const s = multiCallScanner();
    s.feed(Buffer.from('BusyBo'));
    s.feed(Buffer.from('.....................')); // longer than the window: the prefix is gone
    s.feed(Buffer.from('x v1.36'));
    expect(s.found.size).toBe(0);
  });

  test('finds the busybox applet table and the toybox usage line', () => {
    expect(scan(Buffer.from('\0\0\0[\0[[\0acpid\0addgroup\0'), [4])).toEqual(new Set(['busybox']));
    expect(scan(Buffer.from('....usage: toybox [--long | --help | --version]'), [12])).toEqual(new Set(['toybox']));
    expect(scan(Buffer.from('the word toybox alone is not enough'), [])).toEqual(new Set());
  });

  test('generic markers of different lengths', () => {
    const s = new MarkerScanner([
      { kind: 'a', bytes: Buffer.from('ab') },
      { kind: 'b', bytes: Buffer.from('0123456789') },
    ]);
    for (const c of ['xa', 'b01234', '5', '6789']) s.feed(Buffer.from(c));
    expect(s.found).toEqual(new Set(['a', 'b']));
    expect(s.done).toBe(true);
  });
});

describe('elfMachine', () => {
  test('reads the machine of little- and big-endian ELF headers', () => {
    expect(elfMachine(elfHeader(62))).toBe('x86-64');
    expect(elfMachine(elfHeader(183))).toBe('aarch64');
    const be = elfHeader(0);
    be[5] = 2;
    be.writeUInt16BE(22, 18);
    expect(elfMachine(be)).toBe('s390x');
    expect(elfMachine(elfHeader(999))).toBe('elf-machine-999');
  });

  test('ignores non-ELF and short heads', () => {
    expect(elfMachine(Buffer.from('#!/usr/bin/python3\nprint(1)\n'))).toBeUndefined();
    expect(elfMachine(elfHeader(62).subarray(0, 19))).toBeUndefined();
  });

  test('maps platforms to machines', () => {
    expect(machineForArch('amd64')).toBe('x86-64');
    expect(machineForArch('arm64')).toBe('aarch64');
  });
});
