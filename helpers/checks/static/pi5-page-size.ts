import { isRegularFile } from '../../facts/resolve.ts';
import type { FsEntry } from '../../model/image-facts.ts';
import type { StaticCheck } from './types.ts';

export const PI5_PAGE_SIZE = 'pi5-page-size';
/** The Raspberry Pi 5 kernel's page size: a LOAD segment aligned to less cannot be mapped there. */
const PI5_PAGE = 16 * 1024;
const LIST_AT_MOST = 10;

const hex = (n: number) => `0x${n.toString(16)}`;

/** Why one aarch64 ELF cannot be mapped with 16 KiB pages, or undefined when it can (or has no LOAD). */
function pageSizeProblem(e: FsEntry, page = PI5_PAGE): string | undefined {
  if (e.loadAlign === undefined) return undefined;
  if (e.loadAlign < page) return `LOAD p_align ${hex(e.loadAlign)}`;
  if ((e.loadOffsetAlign ?? page) < page) return `LOAD p_vaddr - p_offset only ${hex(e.loadOffsetAlign!)}-aligned`;
  return undefined;
}

/**
 * Raspberry Pi 5 readiness (its catalog entry scopes it to linux/arm64 images): every aarch64 ELF file's
 * LOAD segments are aligned to at least 16 KiB. QEMU on an x86-64 host maps with 4 KiB pages and runs such a
 * binary fine; the Pi 5 kernel refuses it ("ELF load command alignment not page-aligned"). ELF files for other
 * machines are the platform check's finding.
 */
export const checkPi5PageSize: StaticCheck = (facts) => {
  const bad = [...facts.fs.entries.values()]
    .filter((e) => isRegularFile(e) && e.elf === 'aarch64' && pageSizeProblem(e))
    .sort((a, b) => a.path.localeCompare(b.path));
  if (!bad.length) return [];
  const shown = bad.slice(0, LIST_AT_MOST).map((e) => `${e.path} (${pageSizeProblem(e)})`);
  const more = bad.length > LIST_AT_MOST ? ` and ${bad.length - LIST_AT_MOST} more` : '';
  return [
    {
      check: PI5_PAGE_SIZE,
      expected: `every aarch64 ELF LOAD segment aligned to at least ${hex(PI5_PAGE)} (16 KiB pages of the Raspberry Pi 5 kernel)`,
      seen: `${bad.length} ELF file(s) cannot be loaded with 16 KiB pages: ${shown.join(', ')}${more}`,
      where: bad.length === 1 ? `image file ${bad[0]!.path} (layer ${bad[0]!.layer ?? '?'})` : 'image filesystem',
    },
  ];
};
