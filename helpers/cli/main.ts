/** Verb dispatcher for `lucid-harness`. Exit codes: 0 passed, 1 a check failed, 2 usage or environment error. */
type Verb = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const verbs: Record<string, Verb> = {
  verify: {
    summary: 'verify the six images (default: local reference images, both platforms)',
    load: () => import('./verify.ts'),
  },
  regress: {
    summary:
      'run the suites per timestamped tag and compare each with the previous: regress --registry R (--tags P | --last N | --since D)',
    load: () => import('./regress-verb.ts'),
  },
  doctor: { summary: 'check this host: engine, arm64 emulation, disk', load: () => import('./doctor.ts') },
  report: {
    summary: 're-render the dashboard (reports/index.html) from stored results: report [--report-dir D]',
    load: () => import('./report-verb.ts'),
  },
  fixtures: {
    summary:
      'reference and defect images: fixtures build [--platform P] [--only base|services|standins|defects] | push --registry R | lock | export-oci DEST',
    load: () => import('./fixtures.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(verbs).map(([k, v]) => `  ${k.padEnd(10)} ${v.summary}`);
  return `usage: lucid-harness <verb> [options]\n\nverbs:\n${lines.join('\n')}\n\nRun lucid-harness <verb> --help for a verb's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(usage());
    return verb ? 0 : 2;
  }
  const v = verbs[verb];
  if (!v) {
    console.error(`lucid-harness: unknown verb "${verb}" (expected one of: ${Object.keys(verbs).join(', ')})`);
    return 2;
  }
  return (await v.load()).run(rest);
}
