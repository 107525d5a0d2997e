/** `lucid-harness doctor [--json]`: facts about this host, then its problems. Exit 0 none, 2 some. */
import { judge, warnings as warningsOf } from '../doctor/judge.ts';
import { gatherFacts } from '../doctor/probes.ts';
import { factLines } from '../doctor/report.ts';

const USAGE = `usage: lucid-harness doctor [--json]

Checks this host: Docker engine and API version, engine and host architecture, that linux/amd64 and
linux/arm64 containers really run (a tiny test container each), free disk, binfmt F flag, testcontainers
reaper setting, node version, and the host facts that change verdicts: engine and userland architecture
(a 32-bit userland on a 64-bit Pi is a problem), page size, whether memory limits are enforced, CPU
throttling (vcgencmd). Exit 0 when no problem is found (warnings do not count), 2 otherwise.

  --json   print {facts, problems} as JSON instead of lines`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    console.error(`lucid-harness doctor: unknown option ${unknown[0]} (known: --json, --help)`);
    return 2;
  }
  const facts = await gatherFacts();
  const problems = judge(facts);
  const warnings = warningsOf(facts);
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ facts, problems, warnings }, null, 2));
  } else {
    for (const line of factLines(facts)) console.log(line);
    for (const w of warnings) console.log(`warning: ${w}`);
    for (const p of problems) console.log(`problem: ${p}`);
    console.log(problems.length === 0 ? 'doctor: no problems found' : `doctor: ${problems.length} problem(s)`);
  }
  return problems.length === 0 ? 0 : 2;
}
