// Renders the dashboard from a realistic three-tag history and opens it in headless Chromium from disk,
// with the network closed: the page must need nothing but itself. The screenshot lands in
// reports/dashboard.png for people to look at. Needs only Chromium, not Docker.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeDashboard } from '../../helpers/report/dashboard-write.ts';
import { storeRun } from '../../helpers/report/history.ts';
import { resultsJson } from '../../helpers/report/results-schema.ts';
import { sampleHistory } from '../support/sample-history.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.LUCID_CHROMIUM ?? '/usr/bin/chromium';
const MISSING = existsSync(CHROMIUM)
  ? undefined
  : `Chromium not found at ${CHROMIUM} (as root: apt-get install -y chromium; or set LUCID_CHROMIUM)`;
const SCREENSHOT = join(ROOT, 'reports/dashboard.png');
const WIDTH = 1360;
const HEIGHT = 3800;

/** Headless Chromium as this closed machine needs it; a fresh profile each time. */
function chromium(args: string[]): { stdout: string; stderr: string; status: number | null } {
  const profile = mkdtempSync(join(tmpdir(), 'lucid-chromium-'));
  try {
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.error) throw r.error;
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('dashboard in a real browser', () => {
  let dir: string;
  let page: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-dashboard-'));
    const runs = sampleHistory();
    for (const r of runs) storeRun(dir, r);
    writeFileSync(join(dir, 'results.json'), resultsJson(runs.at(-1)!));
    page = writeDashboard(dir, { now: new Date('2026-01-19T09:20:00.000Z') })!;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('Chromium loads it from disk, offline: the DOM has the matrix, the regressions and the plots', ({ skip }) => {
    if (MISSING) skip(MISSING);
    const r = chromium(['--dump-dom', pathToFileURL(page).href]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('<table class="matrix">');
    expect(r.stdout).toContain('2 regressions</span> against tag <code>v1.1.0</code>');
    expect(r.stdout.match(/<svg class="chart"/g)).toHaveLength(4);
  });

  test(`a screenshot goes to reports/dashboard.png (${WIDTH}×${HEIGHT})`, ({ skip }) => {
    if (MISSING) skip(MISSING);
    mkdirSync(join(ROOT, 'reports'), { recursive: true });
    rmSync(SCREENSHOT, { force: true });
    const r = chromium([
      '--hide-scrollbars',
      `--window-size=${WIDTH},${HEIGHT}`,
      `--screenshot=${SCREENSHOT}`,
      pathToFileURL(page).href,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, right after the signature and chunk header.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([WIDTH, HEIGHT]);
    // A blank page of this size compresses to a few KB; the rendered dashboard is far larger.
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(100_000);
    expect(statSync(SCREENSHOT).size).toBeLessThan(20_000_000);
  });
});
