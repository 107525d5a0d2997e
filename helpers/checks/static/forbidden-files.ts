import { posix } from 'node:path';
import { baseName } from '../../facts/paths.ts';
import type { FsEntry, ImageFacts } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';
import type { StaticCheck } from './types.ts';

export const NO_SHELL = 'no-shell';
export const NO_PACKAGE_MANAGER = 'no-package-manager';

function describe(e: FsEntry): string {
  if (e.type === 'symlink') return `symlink -> ${e.link}`;
  if (e.type === 'hardlink') return `hardlink to ${e.link}`;
  return e.type === 'file' ? 'file' : 'special file';
}

// Reported anyway (a file can be made executable later), but said plainly.
const runnable = (e: FsEntry) =>
  (e.type === 'file' || e.type === 'hardlink') && !(e.mode & 0o111) ? ', not executable' : '';

const sorted = (facts: ImageFacts) => [...facts.fs.entries.values()].sort((a, b) => a.path.localeCompare(b.path));

/**
 * Directories are not judged by name: a directory cannot be executed, and names like /var/lib/dpkg (distroless
 * keeps status.d there) or /usr/share/fish are data. Every other type counts, symlinks included.
 */
export const checkNoShell: StaticCheck = (facts, contract) => {
  const shells = new Set(contract.forbiddenFiles.shells);
  const out: Finding[] = [];
  for (const e of sorted(facts)) {
    if (e.type === 'dir') continue;
    const name = baseName(e.path);
    if (shells.has(name)) {
      out.push({
        check: NO_SHELL,
        expected: 'no shell anywhere in the image',
        seen: `${e.path} (${describe(e)}${runnable(e)}) is a shell by name: "${name}"`,
        where: `image file ${e.path} (layer ${e.layer ?? '?'})`,
      });
    } else if (e.multiCall) {
      out.push({
        check: NO_SHELL,
        expected: 'no shell anywhere in the image',
        seen: `${e.path} is a ${e.multiCall} multi-call binary (found by its content) and provides sh`,
        where: `image file ${e.path} (layer ${e.layer ?? '?'})`,
      });
    } else if (e.shell) {
      out.push({
        check: NO_SHELL,
        expected: 'no shell anywhere in the image',
        seen: `${e.path} (${describe(e)}${runnable(e)}) is the ${e.shell} shell by its content, whatever its name`,
        where: `image file ${e.path} (layer ${e.layer ?? '?'})`,
      });
    }
  }
  return out;
};

/** A listed name, or that name with a version suffix: pip3.11 next to pip3, and Fedora's pip-3.11 and dnf-3. */
function packageManagerName(name: string, listed: ReadonlySet<string>): boolean {
  return listed.has(name) || listed.has(name.replace(/-?[0-9][0-9.]*$/, ''));
}

export const checkNoPackageManager: StaticCheck = (facts, contract) => {
  const listed = new Set(contract.forbiddenFiles.packageManagers);
  const out: Finding[] = [];
  const expected = 'no package manager in the image';
  const pipModules = new Set<string>();
  for (const e of sorted(facts)) {
    const name = baseName(e.path);
    if (e.type !== 'dir' && packageManagerName(name, listed)) {
      out.push({
        check: NO_PACKAGE_MANAGER,
        expected,
        seen: `${e.path} (${describe(e)}) is a package manager by name: "${name}"`,
        where: `image file ${e.path} (layer ${e.layer ?? '?'})`,
      });
    }
    // pip installed as a module runs without any pip script: `python3 -m pip install ...`; sourceless too (a legacy
    // __main__.pyc beside the package's __init__; a __pycache__ one alone is not imported).
    const pkg = posix.dirname(e.path);
    if (listed.has('pip') && e.type !== 'dir' && /\/pip\/__main__\.pyc?$/.test(e.path) && !pipModules.has(pkg)) {
      pipModules.add(pkg);
      out.push({
        check: NO_PACKAGE_MANAGER,
        expected,
        seen: `${pkg} is the pip module: "python3 -m pip" installs packages`,
        where: `image directory ${pkg}`,
      });
    }
  }
  return out;
};
