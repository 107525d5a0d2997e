/**
 * Which TCP ports a container's processes listen on, read from /proc/net/tcp{,6} of its network
 * namespace: that answers "nothing on 8500; listening on 8088" without a shell in the image.
 */
/** 127.0.0.11 as /proc/net/tcp writes it (little-endian hex). */
const DOCKER_DNS_HEX = '0B00007F';

export function parseProcNetTcp(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st ... ; st 0A = LISTEN
    if (cols.length < 4 || cols[3] !== '0A') continue;
    // Docker's embedded DNS listens on 127.0.0.11:<random port> in every container of a user-defined network: not the service's.
    if (cols[1]?.startsWith(`${DOCKER_DNS_HEX}:`)) continue;
    const hexPort = cols[1]?.split(':').pop();
    if (hexPort && /^[0-9A-Fa-f]{4}$/.test(hexPort)) ports.add(parseInt(hexPort, 16));
  }
  return [...ports].sort((a, b) => a - b);
}
