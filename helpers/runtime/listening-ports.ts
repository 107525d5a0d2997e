/**
 * Which TCP ports a container's processes listen on, read from /proc/net/tcp{,6} of its network
 * namespace: that answers "nothing on 8500; listening on 8088" without a shell in the image.
 */
/** 127.0.0.11 as /proc/net/tcp writes it (little-endian hex). */
const DOCKER_DNS_HEX = '0B00007F';

interface Listener {
  port: number;
  /** Bound to 127.0.0.0/8 or ::1 (or ::ffff:127.x): a published port never reaches it. */
  loopback: boolean;
}

/**
 * /proc/net/tcp{,6} addresses are the kernel's words in host order (little-endian here): 127.0.0.1 is 0100007F,
 * ::1 is 00000000000000000000000001000000, ::ffff:127.0.0.1 is 0000000000000000FFFF00000100007F.
 */
function isLoopbackHex(addr: string): boolean {
  const a = addr.toUpperCase();
  if (a.length === 8) return a.endsWith('7F');
  if (a.length !== 32) return false;
  return a === '00000000000000000000000001000000' || (a.startsWith('0000000000000000FFFF0000') && a.endsWith('7F'));
}

export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st ... ; st 0A = LISTEN
    if (cols.length < 4 || cols[3] !== '0A') continue;
    // Docker's embedded DNS listens on 127.0.0.11:<random port> in every container of a user-defined network: not the service's.
    if (cols[1]?.startsWith(`${DOCKER_DNS_HEX}:`)) continue;
    const [addr = '', hexPort] = cols[1]?.split(':') ?? [];
    if (hexPort && /^[0-9A-Fa-f]{4}$/.test(hexPort))
      out.push({ port: parseInt(hexPort, 16), loopback: isLoopbackHex(addr) });
  }
  return out;
}

export function parseProcNetTcp(text: string): number[] {
  return [...new Set(parseListeners(text).map((l) => l.port))].sort((a, b) => a - b);
}

/** Ports every listener of which is on loopback: up inside the container, unreachable through a published port. */
export function loopbackOnlyPorts(text: string): number[] {
  const all = parseListeners(text);
  return parseProcNetTcp(text).filter((p) => all.filter((l) => l.port === p).every((l) => l.loopback));
}
