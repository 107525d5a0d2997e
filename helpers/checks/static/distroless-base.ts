import { posix } from 'node:path';
import type { Platform } from '../../model/platform.ts';
import type { Contract } from '../../contract/schema.ts';
import { parseOsRelease } from '../../facts/describe.ts';
import { findProgram, resolvePath } from '../../facts/resolve.ts';
import type { FsEntry, ImageFacts } from '../../model/image-facts.ts';
import { textOf } from '../../facts/users.ts';
import type { Finding } from '../../model/finding.ts';
import { commandOf, unwrapInit } from './program.ts';
import type { StaticCheck } from './types.ts';

export const DISTROLESS_BASE = 'distroless-base';

const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/**
 * What /etc/os-release says against contract.base.osRelease. os-release(5): /etc/os-release (usually a symlink to
 * ../usr/lib/os-release), else /usr/lib/os-release; values quoted or not. The distroless name may stand in
 * PRETTY_NAME or NAME; the version in VERSION_ID ("12", or a point release "12.x"), VERSION_CODENAME or VERSION.
 */
function osReleaseProblems(facts: ImageFacts, contract: Contract): { problems: string[]; where: string } {
  const want = contract.base.osRelease;
  const etcText = textOf(facts.fs, '/etc/os-release');
  const libText = textOf(facts.fs, '/usr/lib/os-release');
  const text = etcText ?? libText;
  if (text === undefined)
    return {
      problems: ['the image has no /etc/os-release (nor /usr/lib/os-release): its base cannot be told'],
      where: 'image file /etc/os-release',
    };
  const resolved = resolvePath(facts.fs, '/etc/os-release').path;
  const where =
    etcText === undefined
      ? 'image file /usr/lib/os-release'
      : resolved === '/etc/os-release'
        ? 'image file /etc/os-release'
        : `image file ${resolved} (via /etc/os-release)`;
  const os = parseOsRelease(text);
  const problems: string[] = [];
  const names = [os.PRETTY_NAME, os.NAME].filter((v): v is string => v !== undefined);
  if (!names.some((n) => n.toLowerCase().includes(want.name.toLowerCase()))) {
    problems.push(
      `PRETTY_NAME ${JSON.stringify(os.PRETTY_NAME ?? '')} and NAME ${JSON.stringify(os.NAME ?? '')} do not say ${want.name}`,
    );
  }
  const ids = [os.ID, ...(os.ID_LIKE ?? '').split(/\s+/)].filter(Boolean);
  if (!ids.includes(want.id)) problems.push(`ID ${JSON.stringify(os.ID ?? '')} is not ${want.id}`);
  const version =
    os.VERSION_ID === want.versionId ||
    (os.VERSION_ID ?? '').startsWith(`${want.versionId}.`) ||
    os.VERSION_CODENAME === want.codename ||
    (os.VERSION ?? '').includes(`(${want.codename})`);
  if (!version)
    problems.push(
      `VERSION_ID ${JSON.stringify(os.VERSION_ID ?? '')} (VERSION ${JSON.stringify(os.VERSION ?? '')}) is not ${want.versionId} (${want.codename})`,
    );
  return { problems, where };
}

type Found = NonNullable<ReturnType<typeof findProgram>['found']>;

/**
 * The program a "#!" script ends at (through `env` and nested scripts, as the kernel would run it): null for
 * an ELF or anything that is not a script, undefined when the interpreter is not in the image.
 */
function interpreterOfScript(facts: ImageFacts, entry: FsEntry): { shebang: string; found: Found } | null | undefined {
  if (entry.elf || entry.shebang === undefined) return null;
  const first = entry.shebang;
  let shebang: string = first;
  for (let depth = 0; depth < 4; depth++) {
    const [interp = '', ...rest] = shebang.split(/[ \t]+/);
    let found: Found | undefined = findProgram(facts.fs, interp, facts.config.Env, facts.config.WorkingDir).found;
    if (found && posix.basename(found.path) === 'env') {
      const name = rest.find((w) => !w.startsWith('-'));
      found = name ? findProgram(facts.fs, name, facts.config.Env, facts.config.WorkingDir).found : undefined;
    }
    if (!found?.entry) return undefined;
    if (found.entry.elf || found.entry.shebang === undefined) return { shebang: first, found };
    shebang = found.entry.shebang;
  }
  return undefined; // nested too deep to start (ELOOP): programs-start says so
}

/**
 * Built on the base the summary claims: os-release says so, the Entrypoint/Cmd and HEALTHCHECK interpreter is the
 * base's own (contract.base.python through its symlinks, from a base layer when the base is pinned), and with
 * contract.base.diffIds pinned for the platform the image's first layers are exactly the base's.
 * A program that does not exist, or a HEALTHCHECK that is not exec form, is left to entrypoint and healthcheck.
 */
export const checkDistrolessBase: StaticCheck = (facts, contract, _service, platform: Platform) => {
  const out: Finding[] = [];
  const base = contract.base;
  const os = osReleaseProblems(facts, contract);
  if (os.problems.length) {
    out.push({
      check: DISTROLESS_BASE,
      expected: `/etc/os-release of ${base.image}: ${base.osRelease.name}, ${base.osRelease.id} ${base.osRelease.versionId}`,
      seen: os.problems.join('; '),
      where: os.where,
    });
  }

  const pinned = base.diffIds?.[platform];
  if (pinned) {
    const first = facts.diffIds.slice(0, pinned.length);
    const at = pinned.findIndex((d, i) => first[i] !== d);
    if (at >= 0) {
      const seen = facts.diffIds[at]
        ? `layer ${at} is ${short(facts.diffIds[at])}, the pinned base has ${short(pinned[at]!)}`
        : `the image has ${facts.diffIds.length} layer(s), the pinned base ${pinned.length}`;
      out.push({
        check: DISTROLESS_BASE,
        expected: `the first ${pinned.length} layer(s) are the pinned ${base.image} for ${platform} (${pinned.map(short).join(', ')})`,
        seen,
        where: `image config: rootfs.diff_ids ${JSON.stringify(facts.diffIds.map(short))}`,
      });
    }
  }

  const own = resolvePath(facts.fs, base.python);
  const programs: [string, string[]][] = [['config.Entrypoint/Cmd', commandOf(facts)]];
  const test = facts.config.Healthcheck?.Test ?? [];
  if (test[0] === 'CMD') programs.push(['config.Healthcheck.Test[1..]', test.slice(1)]);
  for (const [field, argv] of programs) {
    // Behind an init wrapper (tini, dumb-init) the interpreter is the command it runs; the wrapper is no interpreter.
    const program = unwrapInit(argv).command[0];
    if (!program) continue;
    const look = findProgram(facts.fs, program, facts.config.Env, facts.config.WorkingDir).found;
    if (!look?.entry) continue; // missing: entrypoint / healthcheck say so
    // A "#!" script runs the interpreter its first line names: that is what must be the base's.
    const script = interpreterOfScript(facts, look.entry);
    if (script === undefined) continue; // a script whose interpreter is missing: programs-start says so
    const found = script?.found ?? look;
    const where = `image config: ${field} ${JSON.stringify(argv)}`;
    const via = [...look.hops, ...(script ? [`a script run by #!${script.shebang}`, ...script.found.hops] : [])];
    const viaText = via.length ? ` (${via.join(', ')})` : '';
    const expected = `${field} runs the base's interpreter ${base.python}${own.entry ? ` (${own.path})` : ''}`;
    if (!own.entry || own.error) {
      out.push({
        check: DISTROLESS_BASE,
        expected,
        seen: `the base's interpreter ${base.python} is not in the image (resolved to ${own.path}); ${program} runs ${found.path}`,
        where,
      });
    } else if (found.path !== own.path) {
      const what = /^python[0-9.]*$/.test(posix.basename(found.path))
        ? 'another interpreter'
        : 'not the base interpreter';
      out.push({
        check: DISTROLESS_BASE,
        expected,
        seen: `${program} is ${found.path}${viaText}: ${what}, from layer ${found.entry!.layer ?? '?'}`,
        where,
      });
    } else if (pinned && (found.entry!.layer ?? 0) >= pinned.length) {
      out.push({
        check: DISTROLESS_BASE,
        expected,
        seen: `${found.path} was replaced by layer ${found.entry!.layer}, above the ${pinned.length} pinned base layer(s): a copied-in interpreter`,
        where,
      });
    }
  }
  return out;
};
