import type { MultiCall, ShellKind } from '../model/image-facts.ts';

interface Marker<K extends string> {
  kind: K;
  bytes: Buffer;
}

/**
 * Finds byte markers in a stream without buffering it: each chunk is searched alone, and the seam with the
 * previous chunk is searched through a window of (longest marker - 1) bytes on each side, so a marker split
 * across chunks (or spread over many tiny chunks) is still found.
 */
export class MarkerScanner<K extends string> {
  private readonly keep: number;
  private tail = Buffer.alloc(0);
  readonly found = new Set<K>();

  constructor(private readonly markers: readonly Marker<K>[]) {
    this.keep = Math.max(0, ...markers.map((m) => m.bytes.length - 1));
  }

  get done(): boolean {
    return this.found.size === new Set(this.markers.map((m) => m.kind)).size;
  }

  feed(chunk: Buffer): void {
    if (this.done || chunk.length === 0) return;
    if (this.tail.length) this.search(Buffer.concat([this.tail, chunk.subarray(0, this.keep)]));
    this.search(chunk);
    const joined = chunk.length >= this.keep ? chunk : Buffer.concat([this.tail, chunk]);
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - this.keep)));
  }

  private search(buf: Buffer): void {
    for (const m of this.markers) if (!this.found.has(m.kind) && buf.indexOf(m.bytes) >= 0) this.found.add(m.kind);
  }
}

/**
 * What a multi-call binary says about itself: BusyBox prints "BusyBox v1.x" in its banner and packs its applet
 * names as a NUL-separated table starting "[", "[["; toybox compiles in its own help "usage: toybox [...".
 */
const MULTI_CALL_MARKERS: readonly Marker<MultiCall>[] = [
  { kind: 'busybox', bytes: Buffer.from('BusyBox v') },
  { kind: 'busybox', bytes: Buffer.from('\0[\0[[\0') },
  { kind: 'toybox', bytes: Buffer.from('usage: toybox [') },
];

export const multiCallScanner = (): MarkerScanner<MultiCall> => new MarkerScanner(MULTI_CALL_MARKERS);

/** A file whose content says busybox and toybox at once is reported as busybox (the more common). */
export function multiCallOf(found: ReadonlySet<MultiCall>): MultiCall | undefined {
  return found.has('busybox') ? 'busybox' : found.has('toybox') ? 'toybox' : undefined;
}

/**
 * What a shell binary says about itself, found by inspecting Debian bookworm's builds (amd64 and arm64 carry the
 * same strings): all markers of a signature must be present, so one stray string in another program is not
 * enough. Checked in order; the first complete signature names the shell. Only ELF files are judged by these.
 */
const SHELL_SIGNATURES: readonly { kind: ShellKind; all: readonly string[] }[] = [
  // dash (and the ash family it comes from): its NDELAY warning and its exit hint; busybox's ash has only the hint
  { kind: 'dash', all: ['sh: turning off NDELAY mode', 'Use "exit" to leave shell.'] },
  // bash --version and its own variable
  { kind: 'bash', all: ['GNU bash, version ', 'BASH_VERSION'] },
  // zsh's parameters: $zsh_eval_context exists in no other shell
  { kind: 'zsh', all: ['zsh_eval_context', 'ZSH_VERSION'] },
  // mksh and lksh put their version in KSH_VERSION
  { kind: 'mksh', all: ['@(#)MIRBSD KSH R'] },
  { kind: 'mksh', all: ['@(#)LEGACY KSH R'] },
  { kind: 'pdksh', all: ['@(#)PD KSH v'] },
  { kind: 'posh', all: ['POSH_VERSION'] },
  // ksh93: the AT&T builtins carry "(AT&T Research)" ids; KSH_VERSION tells it from the ast libraries
  { kind: 'ksh93', all: ['KSH_VERSION', '(AT&T Research)'] },
  { kind: 'yash', all: ['Yet another shell, version '] },
  { kind: 'tcsh', all: ['See the tcsh(1) manual page'] },
  { kind: 'csh', all: ['Alias loop', '/etc/csh.cshrc'] },
  { kind: 'fish', all: ['# This file contains fish universal variable definitions.'] },
];

const SHELL_MARKERS: readonly Marker<string>[] = [...new Set(SHELL_SIGNATURES.flatMap((s) => s.all))].map((m) => ({
  kind: m,
  bytes: Buffer.from(m),
}));

export const shellScanner = (): MarkerScanner<string> => new MarkerScanner(SHELL_MARKERS);

export function shellOf(found: ReadonlySet<string>): ShellKind | undefined {
  return SHELL_SIGNATURES.find((s) => s.all.every((m) => found.has(m)))?.kind;
}
