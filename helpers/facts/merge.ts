import { isBelow } from './paths.ts';
import type { FsEntry, FsIndex, LayerIndex } from '../model/image-facts.ts';

function removeTree(ix: FsIndex, root: string, keepRoot: boolean): void {
  for (const map of [ix.entries, ix.texts, ix.secrets ?? new Map()] as Map<string, unknown>[]) {
    for (const p of map.keys()) if (isBelow(p, root) || (!keepRoot && p === root)) map.delete(p);
  }
}

/**
 * Merges layers bottom to top the way overlayfs shows them: a layer first clears what its opaque markers
 * and whiteouts hide in lower layers, then adds its entries; a non-directory replacing a directory hides
 * that directory's lower children.
 */
export function mergeLayers(layers: readonly LayerIndex[]): FsIndex {
  const ix: FsIndex = { entries: new Map(), texts: new Map(), secrets: new Map() };
  const secrets = ix.secrets!;
  layers.forEach((layer, n) => {
    for (const dir of layer.opaqueDirs) removeTree(ix, dir, true);
    for (const p of layer.whiteouts) removeTree(ix, p, false);
    for (const e of layer.entries) {
      const lower = ix.entries.get(e.path);
      if (lower?.type === 'dir' && e.type !== 'dir') removeTree(ix, e.path, true);
      ix.entries.set(e.path, { ...e, layer: n });
      ix.texts.delete(e.path);
      secrets.delete(e.path);
    }
    for (const [p, t] of Object.entries(layer.texts)) ix.texts.set(p, t);
    for (const [p, h] of Object.entries(layer.secrets ?? {})) secrets.set(p, h);
  });
  // A hardlink whose target is in a lower layer (the engine links against the lower filesystem) shares that inode.
  // A target replaced in a HIGHER layer is a new inode: the hardlink keeps the one it was indexed with (a setuid
  // file chmod-ed in a later layer stays setuid under its other name).
  for (const e of ix.entries.values()) {
    if (e.type !== 'hardlink' || !e.link) continue;
    const t = ix.entries.get(e.link);
    if (t?.type !== 'file' || (t.layer ?? 0) >= (e.layer ?? 0)) continue;
    Object.assign(e, sharedInode(t));
    // The same inode holds the same secret under its second name.
    const hits = secrets.get(e.link);
    if (hits && !secrets.has(e.path)) secrets.set(e.path, hits);
  }
  return ix;
}

/** Builds an index from plain entries (tests, synthetic facts); parent directories are not invented. */
export function indexFrom(entries: readonly FsEntry[], texts: Record<string, string> = {}): FsIndex {
  return mergeLayers([
    { digest: 'sha256:synthetic', bytes: 0, entries: [...entries], whiteouts: [], opaqueDirs: [], texts },
  ]);
}

/** What a hardlink shares with the regular file it links to. */
export function sharedInode(t: FsEntry): Partial<FsEntry> {
  const { path: _p, type: _t, link: _l, layer: _n, ...inode } = t;
  return inode;
}
