/** `lucid-harness verify` as a user runs it, timed end to end, with the engine's view of its containers. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/contract/load.ts';
import { recordEvents, timeline, type PlatformTimeline } from './events.ts';
import { busyBetween, cpuTimes } from './quiet.ts';

export interface TimedVerify {
  runId: string;
  exitCode: number | null;
  wallMs: number;
  /** Per suite file: ms from the CLI start to the file's start and its duration (vitest's own clock). */
  suites: Record<string, { startMs: number; ms: number }>;
  tests: { passed: number; failed: number; skipped: number };
  /** Failed tests: "describe > test: first line of the message". */
  failures: string[];
  platforms: Record<string, PlatformTimeline>;
  /** Busy fraction of all cores during the run: near 1 = CPU-bound (less work helps), low = waiting (overlap helps). */
  cpuBusy: number;
  /** Images the run had to load first (another checkout re-tagged them meanwhile): such a time includes builds. */
  imagesLoaded: number;
  stderrTail: string;
}

export async function timedVerify(
  args: string[],
  opts: { runId: string; reportDir: string; env?: NodeJS.ProcessEnv; root?: string },
): Promise<TimedVerify> {
  const rec = await recordEvents();
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, LUCID_RUN_ID: opts.runId };
  delete env.LUCID_RUN_PID; // the child is its own run, owned by its own pid
  const t0 = Date.now();
  const cpu0 = cpuTimes();
  const child = spawn(process.execPath, ['bin/lucid-harness.mjs', 'verify', '--report-dir', opts.reportDir, ...args], {
    cwd: opts.root ?? PROJECT_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  let imagesLoaded = 0;
  child.stderr.on('data', (b: Buffer) => {
    imagesLoaded += (b.toString().match(/^load\s+\S+ linux\//gm) ?? []).length;
    tail = (tail + b.toString()).slice(-3000);
  });
  const exitCode = await new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const wallMs = Date.now() - t0;
  const cpuBusy = busyBetween(cpu0, cpuTimes());
  await new Promise((r) => setTimeout(r, 300)); // the last destroy events arrive just after the exit
  rec.stop();
  const suites: TimedVerify['suites'] = {};
  const tests = { passed: 0, failed: 0, skipped: 0 };
  const failures: string[] = [];
  const json = join(opts.reportDir, 'vitest-results.json');
  if (existsSync(json)) {
    const doc = JSON.parse(readFileSync(json, 'utf8')) as {
      testResults: {
        name: string;
        startTime: number;
        endTime: number;
        assertionResults: { status: string; ancestorTitles: string[]; title: string; failureMessages?: string[] }[];
      }[];
    };
    for (const f of doc.testResults) {
      suites[f.name.replace(`${opts.root ?? PROJECT_ROOT}/`, '')] = {
        startMs: f.startTime - t0,
        ms: Math.round(f.endTime - f.startTime),
      };
      for (const a of f.assertionResults) {
        if (a.status === 'passed') tests.passed++;
        else if (a.status === 'failed') {
          tests.failed++;
          failures.push(
            `${[...a.ancestorTitles, a.title].join(' > ')}: ${(a.failureMessages?.[0] ?? '').split('\n').slice(0, 4).join(' / ')}`,
          );
        } else tests.skipped++;
      }
    }
  }
  return {
    runId: opts.runId,
    exitCode,
    wallMs,
    suites,
    tests,
    failures,
    platforms: timeline(rec.events, opts.runId, t0),
    cpuBusy,
    imagesLoaded,
    stderrTail: tail.split('\n').slice(-6).join('\n'),
  };
}
