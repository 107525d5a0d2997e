import { machineForArch } from '../../facts/elf.ts';
import { isRegularFile } from '../../facts/resolve.ts';
import { archOf, variantMatches, variantOf } from '../../model/platform.ts';
import type { Finding } from '../../model/finding.ts';
import { commandOf, programEntry } from './program.ts';
import type { StaticCheck } from './types.ts';

export const PLATFORM = 'platform';
const LIST_AT_MOST = 10;

/**
 * The config must claim the platform asked for, and the binaries must agree with the claim: an arm64 tag whose
 * entrypoint is an x86-64 ELF loads fine and then fails to exec (or runs emulated on the wrong machine).
 */
export const checkPlatform: StaticCheck = (facts, _contract, _service, platform) => {
  const out: Finding[] = [];
  const arch = archOf(platform);
  const variant = variantOf(platform);
  const where = 'image config: os, architecture, variant';
  if (facts.os !== 'linux') out.push({ check: PLATFORM, expected: 'os linux', seen: `os "${facts.os}"`, where });
  if (facts.architecture !== arch)
    out.push({
      check: PLATFORM,
      expected: `architecture ${arch} (asked for ${platform})`,
      seen: `architecture "${facts.architecture}"`,
      where,
    });
  if (variant && !variantMatches(platform, facts.variant))
    out.push({
      check: PLATFORM,
      expected: `variant ${variant} (asked for ${platform})`,
      seen: facts.variant ? `variant "${facts.variant}"` : 'no variant',
      where,
    });

  const machine = machineForArch(arch);
  const argv = commandOf(facts);
  const entry = argv[0] ? programEntry(facts, argv[0]) : undefined;
  if (machine && entry?.elf && entry.elf !== machine) {
    out.push({
      check: PLATFORM,
      expected: `the entrypoint program is an ${machine} ELF (${platform})`,
      seen: `${argv[0]} (${entry.path}) is an ${entry.elf} ELF`,
      where: `image file ${entry.path}; image config: config.Entrypoint/Cmd`,
    });
  }
  // Other binaries for a foreign machine (e.g. libraries copied from an amd64 builder stage).
  const foreign = [...facts.fs.entries.values()]
    .filter((e) => isRegularFile(e) && e.elf && machine && e.elf !== machine && e.path !== entry?.path)
    .sort((a, b) => a.path.localeCompare(b.path));
  if (foreign.length) {
    const shown = foreign.slice(0, LIST_AT_MOST).map((e) => `${e.path} (${e.elf})`);
    const more = foreign.length > LIST_AT_MOST ? ` and ${foreign.length - LIST_AT_MOST} more` : '';
    out.push({
      check: PLATFORM,
      expected: `every ELF file is ${machine} (${platform})`,
      seen: `${foreign.length} ELF file(s) for another machine: ${shown.join(', ')}${more}`,
      where: 'image filesystem',
    });
  }
  return out;
};
