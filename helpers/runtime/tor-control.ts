// The harness side of the Tor control protocol (torspec control-spec.txt §2.3, §3.5, §3.9, §3.21): enough to
// ask a control port, stand-in or real, who it is and how far it has bootstrapped. Parsers are pure.
import { connect } from 'node:net';

/** One reply: its status code and the text of each line (a data line's block joined with "\n"). */
interface ControlReply {
  code: number;
  lines: string[];
}

/** Splits what a control port sent into complete replies; `rest` is an unfinished tail (more to come). */
export function parseReplies(text: string): { replies: ControlReply[]; rest: string } {
  const replies: ControlReply[] = [];
  let lines: string[] = [];
  let pos = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', pos);
    if (eol < 0) break;
    const line = text.slice(pos, eol);
    const m = /^(\d{3})([ +-])(.*)$/.exec(line);
    if (!m) throw new Error(`not a control-protocol reply line: ${JSON.stringify(line.slice(0, 80))}`);
    let next = eol + 2;
    let body = m[3]!;
    if (m[2] === '+') {
      // "250+key=" CRLF data... CRLF "." CRLF (control-spec §2.3, CmdData)
      const end = text.indexOf('\r\n.\r\n', eol);
      if (end < 0) break;
      body += `\n${text
        .slice(next, end)
        .split('\r\n')
        .map((l) => (l.startsWith('..') ? l.slice(1) : l))
        .join('\n')}`;
      next = end + 5;
    }
    lines.push(body);
    pos = next;
    if (m[2] === ' ') {
      replies.push({ code: Number(m[1]), lines });
      lines = [];
    }
  }
  return { replies, rest: text.slice(pos) };
}

interface ProtocolInfo {
  protocolVersion: number;
  authMethods: string[];
  torVersion?: string;
  cookieFile?: string;
}

/** A 250 PROTOCOLINFO reply (§3.21): unknown InfoLines and extra data are ignored, as the spec asks. */
export function parseProtocolInfo(r: ControlReply): ProtocolInfo {
  if (r.code !== 250) throw new Error(`PROTOCOLINFO refused: ${r.code} ${r.lines.join(' ')}`);
  const first = /^PROTOCOLINFO (\d+)/.exec(r.lines[0] ?? '');
  if (!first) throw new Error(`not a PROTOCOLINFO reply: ${JSON.stringify(r.lines[0])}`);
  const info: ProtocolInfo = { protocolVersion: Number(first[1]), authMethods: [] };
  for (const l of r.lines.slice(1)) {
    const auth = /^AUTH METHODS=(\S*)(?: COOKIEFILE="((?:[^"\\]|\\.)*)")?/.exec(l);
    if (auth) {
      info.authMethods = auth[1]!.split(',').filter(Boolean);
      if (auth[2] !== undefined) info.cookieFile = auth[2].replace(/\\(.)/g, '$1');
    }
    const version = /^VERSION Tor="((?:[^"\\]|\\.)*)"/.exec(l);
    if (version) info.torVersion = version[1];
  }
  return info;
}

/** key → value of a 250 GETINFO reply (§3.9); anything else is an error naming the code. */
export function parseGetinfo(r: ControlReply): Record<string, string> {
  if (r.code !== 250) throw new Error(`GETINFO refused: ${r.code} ${r.lines.join(' ')}`);
  const out: Record<string, string> = {};
  for (const l of r.lines) {
    const eq = l.indexOf('=');
    if (eq > 0) out[l.slice(0, eq)] = l.slice(eq + 1).replace(/^\n/, '');
  }
  return out;
}

interface BootstrapPhase {
  severity: string;
  progress: number;
  tag?: string;
  summary?: string;
}

/** status/bootstrap-phase, e.g. `NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"`; undefined if not that shape. */
export function parseBootstrapPhase(value: string): BootstrapPhase | undefined {
  const m = /^(NOTICE|WARN) BOOTSTRAP (.*)$/.exec(value.trim());
  if (!m) return undefined;
  const args = Object.fromEntries(
    [...m[2]!.matchAll(/([A-Z_]+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map(([, k, v]) => [
      k!,
      v!.startsWith('"') ? v!.slice(1, -1).replace(/\\(.)/g, '$1') : v!,
    ]),
  );
  const progress = Number(args['PROGRESS']);
  if (!Number.isInteger(progress)) return undefined;
  return { severity: m[1]!, progress, tag: args['TAG'], summary: args['SUMMARY'] };
}

/** QuotedString for AUTHENTICATE (§2.1): backslashes and quotes escaped. */
export const quoteString = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * Sends the commands pipelined on one connection and resolves with one reply per command, or fewer when
 * the port hangs up first (as Tor does after QUIT or a refused AUTHENTICATE). Rejects on connect errors
 * and when the deadline passes.
 */
export function exchange(host: string, port: number, commands: string[], timeoutMs = 2_000): Promise<ControlReply[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = '';
    const replies: ControlReply[] = [];
    let settled = false;
    const finish = (e?: Error) => {
      if (settled) return; // 'close' follows 'error' and our own destroy()
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (e) reject(e);
      else resolve(replies);
    };
    const timer = setTimeout(
      () =>
        finish(new Error(`${host}:${port}: ${replies.length} of ${commands.length} replies within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(commands.map((c) => `${c}\r\n`).join('')));
    socket.on('data', (chunk: string) => {
      try {
        const parsed = parseReplies(buf + chunk);
        buf = parsed.rest;
        replies.push(...parsed.replies);
      } catch (e) {
        return finish(e as Error);
      }
      if (replies.length >= commands.length) finish();
    });
    socket.on('error', (e) => finish(new Error(`${host}:${port}: ${e.message}`)));
    socket.on('close', () => finish());
  });
}

export interface TorControlFacts {
  protocolInfo: ProtocolInfo;
  /** Set when AUTHENTICATE was accepted. */
  bootstrap?: BootstrapPhase;
  version?: string;
  /** Why bootstrap is missing: AUTHENTICATE or GETINFO refused. */
  error?: string;
}

/** PROTOCOLINFO, AUTHENTICATE, GETINFO version + bootstrap phase, QUIT: what a control port says about itself. */
export async function probeTorControl(
  host: string,
  port: number,
  opts: { password?: string; timeoutMs?: number } = {},
): Promise<TorControlFacts> {
  const auth = opts.password === undefined ? 'AUTHENTICATE' : `AUTHENTICATE ${quoteString(opts.password)}`;
  const r = await exchange(
    host,
    port,
    ['PROTOCOLINFO 1', auth, 'GETINFO version status/bootstrap-phase', 'QUIT'],
    opts.timeoutMs,
  );
  if (!r[0]) throw new Error(`${host}:${port}: the connection closed before PROTOCOLINFO was answered`);
  const protocolInfo = parseProtocolInfo(r[0]);
  if (r[1]?.code !== 250)
    return { protocolInfo, error: `AUTHENTICATE: ${r[1] ? `${r[1].code} ${r[1].lines.join(' ')}` : 'no answer'}` };
  try {
    const info = parseGetinfo(r[2] ?? { code: 0, lines: ['no answer'] });
    return {
      protocolInfo,
      version: info['version'],
      bootstrap: parseBootstrapPhase(info['status/bootstrap-phase'] ?? ''),
    };
  } catch (e) {
    return { protocolInfo, error: (e as Error).message };
  }
}
