import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { loadContract } from '../../helpers/contract/load.ts';
import { referenceImageRef } from '../../helpers/images/names.ts';
import { readResults } from '../../helpers/report/results-schema.ts';
import { runCli } from '../support/run-cli.ts';
import { notApplicableHere } from '../support/check-names.ts';

/**
 * A seventh service (the build summary plans a Phase-4 `session-api`) is covered by a contract profile and an
 * image alone: the smoke suite checks it, the shared stack runs it next to the six (one container, the stack's),
 * still-running judges it after the flows, and the reports list it. No harness code names it.
 */
describe('a seventh service from a profile and an image, no code change', () => {
  const run = randomBytes(3).toString('hex');
  const TAG = `lucid-harness-test/session-api:dev-${run}`;
  const PORT = 8090;
  let dir: string;
  let profile: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-seventh-'));
    const build = await runCli(['fixtures', 'build', '--only', 'base,services', '--platform', 'linux/amd64']);
    expect(build.status, build.stderr).toBe(0);
    // A small health server on the reference base, as its developers might write it (stdlib only, nonroot, no shell).
    writeFileSync(
      join(dir, 'session_api.py'),
      [
        'import json, http.server',
        'class H(http.server.BaseHTTPRequestHandler):',
        '    def do_GET(self):',
        `        body = json.dumps({"status": "healthy", "service": "session-api"}).encode() if self.path == "/health" else b"{}"`,
        '        self.send_response(200 if self.path == "/health" else 404)',
        '        self.send_header("Content-Type", "application/json")',
        '        self.end_headers()',
        '        self.wfile.write(body)',
        '    def log_message(self, *a):',
        '        pass',
        `http.server.ThreadingHTTPServer(("0.0.0.0", ${PORT}), H).serve_forever()`,
        '',
      ].join('\n'),
    );
    // FROM a reference service: its healthcheck script is there; the base's own interpreter runs the new program.
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        `FROM ${referenceImageRef('block-manager', 'linux/amd64')}`,
        'COPY session_api.py /app/session_api.py',
        `EXPOSE ${PORT}`,
        'ENTRYPOINT ["/usr/bin/python3", "/app/session_api.py"]',
        'CMD []',
        `HEALTHCHECK --interval=15s --timeout=5s --retries=3 CMD ["/usr/bin/python3", "-I", "-S", "/app/lucid_ref/healthcheck.py", "http://127.0.0.1:${PORT}/health"]`,
        '',
      ].join('\n'),
    );
    const b = spawnSync('docker', ['build', '-q', '-t', TAG, dir], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(b.status, b.stderr).toBe(0);
    profile = join(dir, 'session-api.json');
    writeFileSync(
      profile,
      JSON.stringify({
        services: [
          {
            name: 'session-api',
            port: PORT,
            healthPath: '/health',
            healthSchema: 'basic',
            aliases: ['session-api'],
            writableDirs: ['/tmp'],
          },
        ],
      }),
    );
  });

  afterAll(async () => {
    await docker()
      .getImage(TAG)
      .remove({ force: true })
      .catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('smoke checks, the shared stack, still-running after the flows, and the reports', async () => {
    const six = loadContract({}).services.map((s) => s.name);
    const images = [...six.map((s) => `${s}=${referenceImageRef(s, 'linux/amd64')}`), `session-api=${TAG}`];
    const reportDir = join(dir, 'reports');
    const r = await runCli([
      'verify',
      '--local',
      '--profile',
      profile,
      ...images.flatMap((i) => ['--image', i]),
      '--report-dir',
      reportDir,
    ]);
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    // The stack holds it: eight containers, session-api among them, and its smoke facts came from there.
    expect(r.stderr).toMatch(/shared stack \[linux\/amd64\] on \S+: 8 containers \([^)]*session-api[^)]*\) answered/);
    const results = readResults(join(reportDir, 'results.json'));
    const mine = results.checks.filter((c) => c.image === 'session-api' && c.platform === 'linux/amd64');
    expect(
      mine.filter((c) => c.status !== 'passed' && !notApplicableHere(c)).map((c) => `${c.check}: ${c.message}`),
    ).toEqual([]);
    const checks = new Set(mine.map((c) => c.check));
    for (const c of [
      'user',
      'no-shell',
      'programs-start',
      'health',
      'process-user',
      'shell-exec',
      'docker-health',
      'hardened',
      'still-running',
    ])
      expect(checks, c).toContain(c);
    expect(mine.find((c) => c.check === 'still-running')?.suite).toMatch(/flows/);
    expect(
      results.checks.filter((c) => c.image === 'flows' && c.status !== 'passed').map((c) => `${c.check}: ${c.message}`),
    ).toEqual([]);
  });
});
