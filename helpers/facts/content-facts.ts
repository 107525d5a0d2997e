/**
 * The content facts of one regular file, the same whether its bytes stream past in a layer tar or sit in an
 * overlay2 layer dir: ELF loader facts, shebang, multi-call and shell markers, captured small texts, secret hits.
 */
import type { ElfInfo } from '../model/image-facts.ts';
import { ElfStreamCollector, isElfHead, loadExtent, readElf, readFromBuffer, type ReadAt } from './elf.ts';
import { multiCallOf, multiCallScanner, shellOf, shellScanner } from './marker-scan.ts';
import { scanSecretFile, secretScanMode, type SecretScanMode } from './secret-files.ts';
import { baseName } from './paths.ts';
import type { FsEntry, SecretFileHit } from '../model/image-facts.ts';

/** Small text files whose content the checks need (users, groups, base OS, the loader's search dirs). */
const CAPTURED_TEXT_FILES: ReadonlySet<string> = new Set([
  '/etc/passwd',
  '/etc/group',
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/ld.so.conf',
]);
/**
 * Also ld.so.conf's include files (Debian: /etc/ld.so.conf.d/*.conf), the .pth files of Python site dirs and a
 * venv's pyvenv.cfg (include-system-site-packages).
 */
const isCapturedText = (path: string): boolean =>
  CAPTURED_TEXT_FILES.has(path) ||
  /^\/etc\/ld\.so\.conf\.d\/[^/]+\.conf$/.test(path) ||
  /\/(site|dist)-packages\/[^/]+\.pth$/.test(path) ||
  /\/pyvenv\.cfg$/.test(path);
const MAX_TEXT_BYTES = 256 * 1024;
/**
 * A program a HEALTHCHECK may run holds the URL it probes: a small .py file outside Python's own library, or a
 * small executable script. Its text is kept when it names a URL or opens a socket, for the healthcheck check.
 */
const MAX_PROBE_TEXT_BYTES = 32 * 1024;
export const PYTHON_LIBRARY = /^\/usr\/(local\/)?lib\/python3|\/(site|dist)-packages\//;
const PROBE_MARKERS = /:\/\/|connect(_ex)?\s*\(|create_connection\s*\(/;
const isProbeCandidate = (e: FsEntry): boolean =>
  e.size > 0 &&
  e.size <= MAX_PROBE_TEXT_BYTES &&
  !PYTHON_LIBRARY.test(e.path) &&
  (e.path.endsWith('.py') || Boolean(e.mode & 0o111));
/** Multi-call binaries and shells are ~0.1-2 MiB; scanning bigger executables (python, libpython) would only cost time. */
const MAX_SCAN_BYTES = 8 * 1024 * 1024;
/**
 * Shells are 0.1-2 MiB (fish 1.9, ksh93 1.5, bash 1.3); a dozen markers over python3.11's 7 MiB would double the
 * cost of indexing a layer, so bigger files are not scanned for shells.
 * Both limits apply to what the loader maps, not to the file: bytes appended to dash (`cat dash junk > helper`
 * still runs) would otherwise hide it. A bigger ELF file is scanned up to the end of its LOAD segments when that
 * end is within the limit, as read from the program headers in its first EXTENT_PROBE_BYTES.
 */
const MAX_SHELL_SCAN_BYTES = 4 * 1024 * 1024;
const EXTENT_PROBE_BYTES = 64 * 1024;
/** The kernel reads the first 256 bytes of a file to find a "#!" line (BINPRM_BUF_SIZE). */
export const HEAD_BYTES = 256;

export const wantsScan = (e: FsEntry): boolean => Boolean(e.mode & 0o111);
export const wantsText = (e: FsEntry): boolean =>
  (isCapturedText(e.path) && e.size <= MAX_TEXT_BYTES) || isProbeCandidate(e);

/** The "#!" line of an executable's first bytes, trimmed, without "#!"; undefined when it has none. */
function shebangOf(head: Uint8Array): string | undefined {
  if (head.length < 2 || head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const b = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, HEAD_BYTES));
  const nl = b.indexOf(0x0a);
  return b
    .toString('utf8', 2, nl < 0 ? b.length : nl)
    .replace(/\r$/, '')
    .trim();
}

function applyElf(e: FsEntry, info: ElfInfo | undefined): void {
  if (!info) return;
  e.elf = info.machine;
  for (const k of [
    'interp',
    'needed',
    'runpath',
    'rpath',
    'soname',
    'loadAlign',
    'loadOffsetAlign',
    'dynamicUnread',
  ] as const) {
    if (info[k] !== undefined) (e as unknown as Record<string, unknown>)[k] = info[k];
  }
}

/**
 * Feed a file's chunks in order, then finish: sets the entry's content facts and returns the captured text.
 * `random`, when given, reads the ELF facts by positional reads instead of collecting them from the stream.
 */
export class ContentFacts {
  private multi;
  private shells;
  private readonly elfStream?: ElfStreamCollector;
  private elfRead?: { info: ElfInfo | undefined };
  private readonly text: Buffer[] | undefined;
  private readonly secretMode: SecretScanMode | undefined;
  private readonly kept: Buffer[] | undefined;
  private head = Buffer.alloc(0);
  /** Bytes fed so far. */
  private pos = 0;
  /** Where each scan stops (undefined: a big file whose LOAD extent is not known yet). */
  private multiEnd: number | undefined;
  private shellEnd: number | undefined;
  /** The first bytes of a big executable, until its LOAD extent is known. */
  private probe: Buffer[] | undefined;
  /** Secrets the file holds (ELF files are code, never scanned as configuration); set by finish. */
  secrets: SecretFileHit[] = [];

  constructor(
    private readonly e: FsEntry,
    private readonly random?: ReadAt,
  ) {
    const scan = wantsScan(e);
    this.multi = scan ? multiCallScanner() : undefined;
    this.shells = scan ? shellScanner() : undefined;
    this.multiEnd = e.size <= MAX_SCAN_BYTES ? Infinity : undefined;
    this.shellEnd = e.size <= MAX_SHELL_SCAN_BYTES ? Infinity : undefined;
    if (scan && (this.multiEnd === undefined || this.shellEnd === undefined)) this.probe = [];
    if (!random) this.elfStream = new ElfStreamCollector();
    this.text = wantsText(e) ? [] : undefined;
    this.secretMode = secretScanMode(e.path, e.size);
    this.kept = this.text ?? (this.secretMode ? [] : undefined);
  }

  /** Whether the whole content must pass through feed (else the head alone will do). */
  get wantsAll(): boolean {
    const scanning = (s: unknown, end: number | undefined) => Boolean(s) && (end === undefined || this.pos < end);
    return Boolean(
      scanning(this.multi, this.multiEnd) || scanning(this.shells, this.shellEnd) || this.kept || this.elfStream,
    );
  }

  /** A big file's scans, once its LOAD extent is known (undefined: not an ELF, or no LOAD in reach). */
  private bound(extent: number | undefined): void {
    this.probe = undefined;
    const within = (limit: number) => (extent !== undefined && extent <= limit ? extent : 0);
    this.multiEnd ??= within(MAX_SCAN_BYTES);
    this.shellEnd ??= within(MAX_SHELL_SCAN_BYTES);
    if (!this.multiEnd) this.multi = undefined;
    if (!this.shellEnd) this.shells = undefined;
  }

  /**
   * Random-access mode, once the head was fed: reads the ELF facts now, so a shared library (a DT_SONAME and no
   * PT_INTERP; a shell given a DT_SONAME still has its PT_INTERP) is spared the shell scan.
   */
  readElfFirst(): void {
    if (!this.random || this.elfRead) return;
    const info = isElfHead(this.head) ? readElf(this.random) : undefined;
    this.elfRead = { info };
    if (!info || (info.soname !== undefined && info.interp === undefined)) this.shells = undefined;
    if (this.probe) this.bound(info ? loadExtent(this.random) : undefined);
  }

  feed(chunk: Buffer): void {
    if (this.head.length < HEAD_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
      if (this.head.length >= 4 && !isElfHead(this.head)) this.shells = undefined; // only an ELF is judged a shell
    }
    const start = this.pos;
    this.pos += chunk.length;
    if (this.probe) {
      this.probe.push(Buffer.from(chunk.subarray(0, Math.max(0, EXTENT_PROBE_BYTES - start))));
      const head = Buffer.concat(this.probe);
      const extent = isElfHead(head) ? loadExtent(readFromBuffer(head)) : undefined;
      if (extent !== undefined || this.pos >= EXTENT_PROBE_BYTES || (head.length >= 4 && !isElfHead(head)))
        this.bound(extent);
    }
    this.elfStream?.feed(chunk);
    // Until a big file's extent is known, its first bytes are scanned as any file's (far below either limit).
    const upTo = (end: number | undefined) => chunk.subarray(0, Math.max(0, (end ?? Infinity) - start));
    this.multi?.feed(upTo(this.multiEnd));
    this.shells?.feed(upTo(this.shellEnd));
    this.kept?.push(Buffer.from(chunk));
  }

  finish(): string | undefined {
    const e = this.e;
    const elf = isElfHead(this.head);
    if (elf)
      applyElf(e, this.random ? (this.elfRead ?? { info: readElf(this.random) }).info : this.elfStream?.finish());
    else if (e.mode & 0o111) {
      const sb = shebangOf(this.head);
      if (sb !== undefined) e.shebang = sb;
    }
    const mc = this.multi && multiCallOf(this.multi.found);
    if (mc) e.multiCall = mc;
    // Only an ELF is judged by shell markers: a script may well mention "BASH_VERSION".
    const sh = elf && !mc && this.shells ? shellOf(this.shells.found) : undefined;
    if (sh) e.shell = sh;
    const content = this.kept && Buffer.concat(this.kept);
    if (this.secretMode && !elf) this.secrets = scanSecretFile(content!, this.secretMode, baseName(this.e.path));
    if (!this.text) return undefined;
    if (isCapturedText(e.path)) return content!.toString('utf8');
    // A probe candidate: a script (never an ELF) that names a URL or opens a socket; the rest is not kept.
    if (elf) return undefined;
    const text = content!.toString('utf8');
    return PROBE_MARKERS.test(text) ? text : undefined;
  }
}
