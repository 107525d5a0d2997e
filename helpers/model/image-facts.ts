// What the static checks judge: an image's config and merged filesystem as helpers/facts gathers them.
import type { Platform } from './platform.ts';

/** One secret found in a file; `shown` and `fingerprint` never reveal the secret. */
export interface SecretFileHit {
  /** What was found, e.g. "a PEM private key (RSA)", "a literal value for DB_PASSWORD". */
  kind: string;
  /** 1-based line of the hit. */
  line: number;
  /** The hit with its secret masked, e.g. "DB_PASSWORD=pa******". */
  shown: string;
  /** "sha256:" + the first 16 hex digits of sha256(secret): what an allow-list entry names. */
  fingerprint: string;
}

/** Entry kinds as the checks care about them; devices and fifos are "other". */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
export type MultiCall = 'busybox' | 'toybox';
/** Shells recognised by their content (facts/marker-scan.ts SHELL_SIGNATURES), besides the multi-call binaries. */
export type ShellKind =
  'dash' | 'bash' | 'zsh' | 'mksh' | 'ksh93' | 'pdksh' | 'posh' | 'yash' | 'tcsh' | 'csh' | 'fish';

/** What the dynamic loader and the kernel read from an ELF file (facts/elf.ts): program headers and the dynamic section. */
export interface ElfInfo {
  machine: string;
  /** PT_INTERP: the program interpreter (dynamic loader) the kernel starts, e.g. /lib64/ld-linux-x86-64.so.2. */
  interp?: string;
  /** DT_NEEDED names in order. */
  needed?: string[];
  /** DT_RUNPATH / DT_RPATH as written (colon-separated, "$ORIGIN" unexpanded). */
  runpath?: string;
  rpath?: string;
  soname?: string;
  /** Smallest p_align of the PT_LOAD segments (0 and 1 mean no constraint and count as 1). */
  loadAlign?: number;
  /**
   * Largest power of two (capped at 1 MiB) dividing every LOAD's p_vaddr - p_offset: the biggest page size the
   * segments can be mapped with at all, whatever p_align says.
   */
  loadOffsetAlign?: number;
  /** The dynamic section or its strings lay where the reader could not reach (a stream past its window). */
  dynamicUnread?: boolean;
}

/** A merged-filesystem entry; an ELF file also carries the loader's view of it (ElfInfo less the machine, which is `elf`). */
export interface FsEntry extends Omit<ElfInfo, 'machine'> {
  /** Absolute and normalised: "/usr/bin/python3", the root is "/". */
  path: string;
  type: EntryType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content (a hardlink carries its target's size). */
  size: number;
  /** Symlink target as written (absolute or relative); hardlink target as an absolute path. */
  link?: string;
  /** ELF machine of a regular file starting with \x7fELF, e.g. "x86-64", "aarch64". */
  elf?: string;
  /** Content says it is a multi-call binary (scanned for executables up to ~8 MiB). */
  multiCall?: MultiCall;
  /** Content says this ELF executable is a shell (scanned like multiCall), whatever its name. */
  shell?: ShellKind;
  /** An executable starting "#!": the rest of its first line as the kernel reads it (up to 255 bytes), trimmed. */
  shebang?: string;
  /** Position of the layer (0 = bottom) the merged entry came from; set by the merge. */
  layer?: number;
}

/** What one layer tar holds, independent of where the bytes came from (docker-archive or registry blob). */
export interface LayerIndex {
  /**
   * sha256 of the uncompressed tar as it streamed ("sha256:<hex>"); for a layer read from the engine's overlay2
   * dirs, the diff_id the engine recorded (no tar is streamed there to hash).
   */
  digest: string;
  /** Length of the uncompressed tar. */
  bytes: number;
  /** Real entries in tar order; whiteout markers are not entries. */
  entries: FsEntry[];
  /** Paths a `.wh.<name>` marker deletes from lower layers. */
  whiteouts: string[];
  /** Directories a `.wh..wh..opq` marker empties of lower layers' children. */
  opaqueDirs: string[];
  /** Contents of the small text files the checks read (see CAPTURED_TEXT_FILES). */
  texts: Record<string, string>;
  /** Secrets found in this layer's regular files, by path (facts/secret-files.ts); only files with hits are listed. */
  secrets?: Record<string, SecretFileHit[]>;
}

/** The merged filesystem of an image: whiteouts applied, upper layers win. */
export interface FsIndex {
  entries: Map<string, FsEntry>;
  /** Captured text contents by path, following the same merge as the entries. */
  texts: Map<string, string>;
  /** Secret-file hits by path, following the same merge as the entries (absent: nothing was scanned). */
  secrets?: Map<string, SecretFileHit[]>;
}

interface HealthcheckConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/** The parts of the image config blob's `config` object that the checks read. */
export interface ImageRunConfig {
  User: string;
  Env: string[];
  Entrypoint: string[] | null;
  Cmd: string[] | null;
  Healthcheck: HealthcheckConfig | null;
  ExposedPorts: Record<string, unknown>;
  WorkingDir: string;
  Labels: Record<string, string>;
}

export interface HistoryItem {
  created_by?: string;
  empty_layer?: boolean;
}

export interface GatherStats {
  /**
   * Where the layer indexes came from: all from the on-disk cache; the uncached ones read from the local
   * engine's overlay2 layer dirs; or the image export (remote engine, other storage, LUCID_FACTS_SOURCE=export,
   * or the overlay2 reader could not vouch for the image).
   */
  source: 'cache' | 'overlay' | 'export';
  /** Why the overlay2 reader was not used when source is 'export'. */
  fallback?: string;
  /** True when the image was streamed out of the engine (source 'export'). */
  exported: boolean;
  /**
   * Where the config came from: the exported blob, the blob cache, the engine's image store on disk (the same
   * blob, hash-checked), or the engine's inspect/history.
   */
  configFrom: 'archive' | 'cache' | 'imagedb' | 'engine';
  layersIndexed: number;
  layersFromCache: number;
  ms: number;
  warnings: string[];
}

export interface ImageFacts {
  /** Engine image id, "sha256:<hex>" (sha256 of the config blob). */
  id: string;
  /** What the caller asked for (a tag or an id). */
  ref: string;
  /** The platform the caller asked for; the platform check compares it with what the image says. */
  platform?: Platform;
  architecture: string;
  os: string;
  variant?: string;
  config: ImageRunConfig;
  history: HistoryItem[];
  diffIds: string[];
  /** Engine-reported size in bytes. */
  size: number;
  layerCount: number;
  fs: FsIndex;
  gather: GatherStats;
}
