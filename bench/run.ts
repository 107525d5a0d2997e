/**
 * npm run bench: one run on this engine with the reference images —
 *   boot floor per platform, full verify cold and warm, the naive script, static checks cold/warm,
 *   the delay between a service answering and the harness noticing —
 * then reports/bench.json and a markdown table on stdout. Targets are reported as ratios, never asserted.
 *
 * usage: tsx bench/run.ts [--floor-repeats N] [--notice-repeats N] [--out FILE] [--root DIR] [--cortex-a57]
 *                         [--max-quiet-wait SECONDS (default 180)] [--phases floor,verify,naive,static,notice]
 *   --root runs `verify` from another checkout (e.g. a copy with proposed changes) on the same images.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadContract, PROJECT_ROOT, resolveServiceEnv } from '../helpers/contract/load.ts';
import { cacheDir } from '../helpers/image/cache.ts';
import { docker } from '../helpers/engine/docker.ts';
import { RUN_ID } from '../helpers/engine/labels.ts';
import { sweep } from '../helpers/engine/sweep.ts';
import { ensureReferenceImages } from '../fixtures/reference.ts';
import { referenceImageRef } from '../helpers/images/names.ts';
import { recordEvents, timeline } from './events.ts';
import { bootFloor, type FloorRun } from './floor.ts';
import { benchNetwork } from './standins.ts';
import { noticeSample, type NoticeSample } from './notice.ts';
import { waitForQuiet, type Quiet } from './quiet.ts';
import { benchDocument, markdownTable, type BenchInput } from './report.ts';
import { benchStatic } from './static.ts';
import { timedVerify } from './verify-timed.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const floorRepeats = Number(opt('floor-repeats', '3'));
const noticeRepeats = Number(opt('notice-repeats', '3'));
const out = resolve(opt('out', join(PROJECT_ROOT, 'reports/bench.json')));
const root = resolve(opt('root', PROJECT_ROOT));
const cortex = argv.includes('--cortex-a57');
/** --phases floor,verify,naive,static,notice (default all): a subset, e.g. to size one lever. */
const phases = new Set(opt('phases', 'floor,verify,naive,static,notice').split(','));
const maxQuietWaitMs = Number(opt('max-quiet-wait', '180')) * 1000;
const log = (l: string) => console.error(l);

const contract = loadContract({});
const ownRuns = new Set<string>([RUN_ID]);
const quiet: Record<string, Quiet> = {};
let engineWatch: Awaited<ReturnType<typeof recordEvents>> | undefined;
async function phase<T>(name: string, f: () => Promise<T>): Promise<T> {
  const q = (quiet[name] = await waitForQuiet(ownRuns, { log, maxWaitMs: maxQuietWaitMs }));
  log(`bench: ${name}${q.quiet ? '' : ' (box not quiet)'}`);
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    const t1 = Date.now();
    // Every container start on the engine during the phase that none of the bench's runs made.
    q.foreignStartsDuring = (engineWatch?.events ?? []).filter(
      (e) => e.action === 'start' && e.seenAt >= t0 && e.seenAt <= t1 && !ownRuns.has(e.run),
    ).length;
    if (q.foreignStartsDuring)
      log(`bench: ${name}: ${q.foreignStartsDuring} container(s) of other work started meanwhile`);
  }
}

/** A cache dir with the build inputs (so nothing is rebuilt) but no image facts: a cold verify. */
function coldCacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-verify-cache-'));
  const real = cacheDir();
  for (const name of existsSync(real) ? readdirSync(real) : []) {
    if (name !== 'layer-index' && name !== 'image-config') symlinkSync(join(real, name), join(dir, name));
  }
  return dir;
}

function runNaive(envDir: string, runId: string, network: string): Promise<BenchInput['naive']> {
  return (async () => {
    const rec = await recordEvents();
    const t0 = Date.now();
    const child = spawn('bash', [join(PROJECT_ROOT, 'bench/naive.sh')], {
      env: {
        ...process.env,
        NAIVE_ENV_DIR: envDir,
        NAIVE_RUN_ID: runId,
        NAIVE_NETWORK: network,
        NAIVE_IMAGE_PREFIX: referenceImageRef('', 'linux/amd64').replace(/:amd64$/, ''),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.stderr.on('data', (b: Buffer) => (text += b.toString()));
    const exitCode = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const wallMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    rec.stop();
    return {
      wallMs,
      exitCode,
      summary: text.trim().split('\n').slice(-3).join(' / '),
      platforms: timeline(rec.events, runId, t0),
    };
  })();
}

async function main(): Promise<void> {
  const version = await docker().version();
  engineWatch = await recordEvents({ all: true });
  log('bench: reference images (built when missing; not timed)');
  const targets = await ensureReferenceImages({
    contract,
    services: contract.services.map((s) => s.name),
    platforms: contract.platforms,
    log,
  });
  const byPlatform = (p: string) => targets.filter((t) => t.platform === p);

  // The stand-ins the services need (data-chain's Mongo above all) on a network of the bench's own, for the
  // floor, the naive script and the notice samples; not timed. Removed when the bench ends.
  log('bench: stand-ins (not timed)');
  const bench = await benchNetwork(contract, log);
  const floor: FloorRun[] = [];
  const floorCortexA57: FloorRun[] = [];
  const cache = coldCacheDir();
  const tmp = mkdtempSync(join(tmpdir(), 'lucid-bench-'));
  try {
    if (phases.has('floor'))
      await phase('floor', async () => {
        for (let i = 0; i < floorRepeats; i++) {
          for (const p of contract.platforms)
            floor.push(await bootFloor(contract, byPlatform(p), { network: bench.network }));
          // Interleaved with the default arm64 floor, so drift on the box hits both alike.
          if (cortex)
            floorCortexA57.push(
              await bootFloor(contract, byPlatform('linux/arm64'), {
                extraEnv: { QEMU_CPU: 'cortex-a57' },
                network: bench.network,
              }),
            );
        }
      });

    const verifyRun = (name: string) =>
      phase(`verify-${name}`, () => {
        const runId = `bench-${name}-${Date.now().toString(36)}`;
        ownRuns.add(runId);
        return timedVerify([], { runId, reportDir: join(tmp, name), env: { LUCID_CACHE_DIR: cache }, root });
      });
    const skipped = (runId: string): Awaited<ReturnType<typeof timedVerify>> => ({
      runId,
      exitCode: null,
      wallMs: NaN,
      suites: {},
      tests: { passed: 0, failed: 0, skipped: 0 },
      failures: [],
      platforms: {},
      cpuBusy: 0,
      imagesLoaded: 0,
      stderrTail: 'not measured',
    });
    const cold = phases.has('verify') ? await verifyRun('cold') : skipped('cold');
    const warm = phases.has('verify') ? await verifyRun('warm') : skipped('warm');
    for (const v of [cold, warm])
      if (v.exitCode !== 0 && phases.has('verify'))
        log(`bench: verify ${v.runId} exited ${v.exitCode}:\n${v.stderrTail}`);

    const envDir = join(tmp, 'env');
    mkdirSync(envDir);
    for (const s of contract.services)
      writeFileSync(
        join(envDir, `${s.name}.env`),
        Object.entries(resolveServiceEnv(contract, s))
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
    const naiveRun = `bench-naive-${Date.now().toString(36)}`;
    ownRuns.add(naiveRun);
    const naive = phases.has('naive')
      ? await phase('naive', () => runNaive(envDir, naiveRun, bench.network))
      : { wallMs: NaN, exitCode: null, summary: 'not measured', platforms: {} };

    const stat = phases.has('static') ? await phase('static', () => benchStatic(contract, targets)) : [];
    const notice: NoticeSample[] = [];
    if (phases.has('notice'))
      await phase('notice', async () => {
        for (const p of contract.platforms) {
          const t = byPlatform(p).find((x) => x.service === 'data-chain')!;
          for (let i = 0; i < noticeRepeats; i++) notice.push(await noticeSample(contract, t, bench.network));
        }
      });

    const input: BenchInput = {
      generatedAt: new Date().toISOString(),
      host: {
        cpus: availableParallelism(),
        node: process.versions.node,
        engine: `${version.Version} (API ${version.ApiVersion})`,
        ...(process.env.QEMU_CPU && { qemuCpu: process.env.QEMU_CPU }),
      },
      floor,
      floorCortexA57,
      verify: { cold, warm },
      naive,
      static: stat,
      notice,
      quiet,
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(benchDocument(input), null, 2)}\n`);
    console.log(markdownTable(input));
    log(`bench: wrote ${out}`);
  } finally {
    await bench.stop();
    engineWatch?.stop();
    rmSync(cache, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    await sweep();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench: ${(e as Error).stack ?? e}`);
    process.exit(2);
  },
);
