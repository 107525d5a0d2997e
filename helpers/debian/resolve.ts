/**
 * Closure of Pre-Depends + Depends from a root list, with an explicit deny list. Recommends are
 * ignored (distroless takes none). A dependency group whose alternatives are all denied is recorded
 * as skipped, so the lock shows exactly what was left out and who wanted it.
 */
import { parseRelations, satisfies, type Relation } from './control.ts';
import type { IndexPackage, PackageIndex } from './archive.ts';

interface Resolution {
  packages: IndexPackage[];
  /** "debconf (>= 0.5) | debconf-2.0" ← tzdata, ca-certificates */
  skipped: { dependency: string; neededBy: string[] }[];
  warnings: string[];
}

class ResolveError extends Error {}

const show = (g: Relation[]) => g.map((r) => (r.op ? `${r.name} (${r.op} ${r.version})` : r.name)).join(' | ');

export function resolveClosure(index: PackageIndex, roots: string[], deny: string[]): Resolution {
  const denied = new Set(deny);
  const chosen = new Map<string, IndexPackage>();
  const skipped = new Map<string, Set<string>>();
  const warnings: string[] = [];
  const queue: { name: string; by: string }[] = roots.map((name) => ({ name, by: '(root)' }));

  // A name is "present" if chosen directly or provided by a chosen package.
  const present = (name: string) => chosen.has(name) || [...chosen.values()].some((p) => provides(p, name));
  const lookup = (name: string) => index.best(name) ?? index.providers.get(name)?.find((p) => !denied.has(p.name));

  while (queue.length) {
    const { name, by } = queue.shift()!;
    if (present(name)) continue;
    if (denied.has(name)) throw new ResolveError(`${name} is both required (by ${by}) and denied`);
    const pkg = lookup(name);
    if (!pkg) throw new ResolveError(`no package ${name} (needed by ${by}) in the index`);
    if (chosen.has(pkg.name)) continue;
    chosen.set(pkg.name, pkg);
    for (const group of [...parseRelations(pkg.preDepends), ...parseRelations(pkg.depends)]) {
      if (group.some((r) => present(r.name) || queue.some((q) => q.name === r.name))) continue;
      const alt = group.find((r) => !denied.has(r.name) && lookup(r.name));
      if (alt) {
        queue.push({ name: alt.name, by: pkg.name });
        continue;
      }
      // Skipped when something could satisfy it but the deny list forbids it (directly or via Provides).
      const deniedOnly = (n: string) => denied.has(n) || (index.providers.get(n) ?? []).some((p) => denied.has(p.name));
      if (group.some((r) => deniedOnly(r.name))) {
        const key = show(group);
        if (!skipped.has(key)) skipped.set(key, new Set());
        skipped.get(key)!.add(pkg.name);
        continue;
      }
      throw new ResolveError(`${pkg.name} depends on ${show(group)}, which the index does not have`);
    }
  }

  // Version constraints are not used to choose (one candidate per name), only checked.
  for (const pkg of chosen.values()) {
    for (const group of [...parseRelations(pkg.preDepends), ...parseRelations(pkg.depends)]) {
      const hit = group.find((r) => chosen.has(r.name));
      if (hit && !satisfies(chosen.get(hit.name)!.version, hit)) {
        warnings.push(`${pkg.name} wants ${show([hit])} but the lock has ${hit.name} ${chosen.get(hit.name)!.version}`);
      }
    }
  }

  return {
    packages: [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    skipped: [...skipped]
      .map(([dependency, by]) => ({ dependency, neededBy: [...by].sort() }))
      .sort((a, b) => (a.dependency < b.dependency ? -1 : 1)),
    warnings,
  };
}

function provides(p: IndexPackage, name: string): boolean {
  return (p.provides ?? '').split(',').some((v) => v.trim().split(/[\s(:]/)[0] === name);
}
