// Runs the reference services' own Python tests (fixtures/services/tests): BLAKE3 against the official
// vectors, the Lucid constructions against tests/data/vectors, JWT checks, and an end-to-end run of the
// six services as local processes on 127.0.0.1 (no Docker). Needs a host python3 >= 3.11, as in the images.
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TESTS_DIR = join(ROOT, 'fixtures', 'services', 'tests');
/** The second family's tests import it as the package lucid_alt, so discovery starts at fixtures/services. */
const ALT_TESTS_DIR = join(ROOT, 'fixtures', 'services', 'lucid_alt', 'tests');

/** First interpreter that reports Python >= 3.11: LUCID_PYTHON if set, else the usual names on PATH. */
function findPython(): { exe?: string; reason: string } {
  const candidates = process.env.LUCID_PYTHON
    ? [process.env.LUCID_PYTHON]
    : ['python3', 'python3.13', 'python3.12', 'python3.11'];
  const seen: string[] = [];
  for (const exe of candidates) {
    const r = spawnSync(exe, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    if (r.status !== 0) {
      seen.push(`${exe}: ${r.error ? r.error.message : `exit ${r.status}`}`);
      continue;
    }
    const [major, minor] = r.stdout.trim().split('.').map(Number);
    if (major === 3 && (minor ?? 0) >= 11) return { exe, reason: `${exe} ${r.stdout.trim()}` };
    seen.push(`${exe}: Python ${r.stdout.trim()} (< 3.11)`);
  }
  return { reason: `no python3 >= 3.11 on this host (${seen.join('; ')})` };
}

const python = findPython();
if (!python.exe) console.warn(`skipping the reference services' Python tests: ${python.reason}`);

const FAMILIES = [
  {
    name: 'lucid_ref',
    title: 'python3 -m unittest discover -s fixtures/services/tests passes',
    args: ['-s', TESTS_DIR],
  },
  {
    name: 'lucid_alt',
    title: 'python3 -m unittest discover -s fixtures/services/lucid_alt/tests -t fixtures/services passes',
    args: ['-s', ALT_TESTS_DIR, '-t', join(ROOT, 'fixtures', 'services')],
  },
];

// Side by side: the families are independent, and each mostly waits on its services.
describe.concurrent.each(FAMILIES)(`reference services $name (Python unittest, ${python.reason})`, (family) => {
  it.skipIf(!python.exe)(
    family.title,
    async () => {
      const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
        execFile(
          python.exe!,
          ['-m', 'unittest', 'discover', ...family.args, '-v'],
          {
            cwd: ROOT,
            timeout: 240_000,
            maxBuffer: 16 * 1024 * 1024,
            // No bytecode next to the sources: they are copied into the images as they are.
            env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' },
          },
          (err, stdout, stderr) => {
            const exit = err ? (typeof err.code === 'number' ? err.code : null) : 0;
            resolve({ code: exit, output: `${stdout}${stderr}` });
          },
        );
      });
      expect(code, `unittest failed (exit ${code}):\n${output}`).toBe(0);
    },
    300_000,
  );
});
