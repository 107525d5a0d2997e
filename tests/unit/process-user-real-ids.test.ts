// process-user over real and saved ids: a trial image started as root whose wrapper called only os.seteuid/os.setegid
// (real and saved uid stay 0) showed uid 65532 in `ps -o uid` and passed process-user; it can take root back.
import { describe, expect, test } from 'vitest';
import { judgeProcessUser } from '../../helpers/checks/runtime.ts';
import { parseIdMap, parseTop, toContainerIds } from '../../helpers/runtime/processes.ts';

const nonroot = { uid: 65532, gid: 65532 };
const TITLES = ['PID', 'UID', 'RUID', 'SUID', 'GID', 'RGID', 'SGID', 'COMMAND'];
const row = (pid: number, ids: number[], args: string) => [String(pid), ...ids.map(String), args];

describe('process-user: effective, real and saved ids', () => {
  test('parses the real and saved columns by title', () => {
    const top = { Titles: TITLES, Processes: [row(7, [65532, 0, 0, 65532, 0, 0], 'python3 /opt/seteuid.py')] };
    expect(parseTop(top)).toEqual([
      { pid: 7, uid: 65532, ruid: 0, suid: 0, gid: 65532, rgid: 0, sgid: 0, args: 'python3 /opt/seteuid.py' },
    ]);
  });

  test('effective 65532 with real and saved root fails, saying root can be taken back', () => {
    const top = { Titles: TITLES, Processes: [row(7, [65532, 0, 0, 65532, 0, 0], '/usr/bin/python3 /opt/seteuid.py')] };
    const [f] = judgeProcessUser(parseTop(top), nonroot);
    expect(f!.seen).toBe(
      'pid 7 runs as 65532:65532 but keeps real uid 0, saved uid 0, real gid 0, saved gid 0 (it can take root back): /usr/bin/python3 /opt/seteuid.py',
    );
  });

  test('a multi-process image all of whose ids are 65532 passes; a root supervisor among them fails, named', () => {
    const all = [65532, 65532, 65532, 65532, 65532, 65532];
    const ok = {
      Titles: TITLES,
      Processes: [row(1, all, 'python3 supervisor.py'), row(9, all, 'python3 serve.py'), row(12, all, 'worker')],
    };
    expect(judgeProcessUser(parseTop(ok), nonroot)).toEqual([]);
    const rootSup = {
      ...ok,
      Processes: [row(1, [0, 0, 0, 0, 0, 0], 'python3 supervisor.py'), ...ok.Processes.slice(1)],
    };
    expect(judgeProcessUser(parseTop(rootSup), nonroot)[0]!.seen).toBe(
      'pid 1 runs as 0:0 (root): python3 supervisor.py',
    );
  });

  test('a ps without those columns judges the effective ids alone, as before', () => {
    const top = { Titles: ['PID', 'UID', 'GID', 'COMMAND'], Processes: [['1', '65532', '65532', 'python3']] };
    expect(parseTop(top)[0]).toEqual({ pid: 1, uid: 65532, gid: 65532, args: 'python3' });
    expect(judgeProcessUser(parseTop(top), nonroot)).toEqual([]);
  });

  test('userns-remap maps real and saved ids back too; one outside the map is dropped, not judged', () => {
    const map = parseIdMap('0 100000 65536');
    const host = [
      { pid: 3, uid: 165532, gid: 165532, ruid: 165532, suid: 100000, rgid: 165532, sgid: 165532, args: 'p' },
    ];
    const inside = toContainerIds(host, map, map);
    expect(inside[0]).toMatchObject({ uid: 65532, ruid: 65532, suid: 0 });
    expect(judgeProcessUser(inside, nonroot)[0]!.seen).toMatch(/keeps saved uid 0 \(it can take root back\)/);
    const outside = toContainerIds([{ ...host[0]!, suid: 5 }], map, map);
    expect(outside[0]!.suid).toBeUndefined();
    expect(judgeProcessUser(outside, nonroot)).toEqual([]);
  });
});
