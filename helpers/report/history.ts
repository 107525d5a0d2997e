import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readResults, resultsJson, type Results } from './results-schema.ts';

/**
 * Every run is kept as <reportDir>/history/<tag>/<run id>.json; runs without a tag (reference or local
 * images) go under `local`. The files are the whole history: nothing else is needed to re-render.
 */
const HISTORY_DIR = 'history';
export const LOCAL_TAG = 'local';

export const tagOf = (r: Results): string => r.run.tag ?? LOCAL_TAG;

/** A tag as a directory name: registry tags are already safe; anything else is made so. */
export const tagDir = (tag: string): string => tag.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');

export function storeRun(reportDir: string, results: Results): string {
  const dir = join(reportDir, HISTORY_DIR, tagDir(tagOf(results)));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.run.id}.json`);
  // Write-then-rename: a reader (the dashboard) never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, resultsJson(results));
  renameSync(tmp, file);
  return file;
}

interface History {
  /** Every readable run, oldest first. */
  runs: Results[];
  /** Files that could not be read, one line each; they are skipped, not fatal. */
  problems: string[];
}

const byStart = (a: Results, b: Results) =>
  a.run.started.localeCompare(b.run.started) || a.run.id.localeCompare(b.run.id);

export function loadHistory(reportDir: string): History {
  const root = join(reportDir, HISTORY_DIR);
  const runs: Results[] = [];
  const problems: string[] = [];
  if (!existsSync(root)) return { runs, problems };
  for (const tag of readdirSync(root).sort()) {
    const dir = join(root, tag);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      try {
        runs.push(readResults(join(dir, f)));
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  }
  return { runs: runs.sort(byStart), problems };
}

/** Runs of one tag, oldest first. */
export const runsOfTag = (runs: readonly Results[], tag: string): Results[] =>
  runs.filter((r) => tagOf(r) === tag).sort(byStart);

/** The newest run of every tag, ordered by when that run started (oldest tag first). */
export function newestPerTag(runs: readonly Results[]): Results[] {
  const newest = new Map<string, Results>();
  for (const r of [...runs].sort(byStart)) newest.set(tagOf(r), r);
  return [...newest.values()].sort(byStart);
}

/**
 * What a run is compared with: the newest run of the tag tested before it; for untagged (local) runs,
 * which have no "previous tag", the previous local run.
 */
export function baselineFor(runs: readonly Results[], current: Results): Results | undefined {
  const earlier = runs.filter((r) => r.run.id !== current.run.id && byStart(r, current) < 0);
  const pick = (xs: Results[]) => xs.sort(byStart).at(-1);
  if (tagOf(current) === LOCAL_TAG) return pick(earlier.filter((r) => tagOf(r) === LOCAL_TAG));
  return pick(earlier.filter((r) => tagOf(r) !== tagOf(current) && tagOf(r) !== LOCAL_TAG));
}
