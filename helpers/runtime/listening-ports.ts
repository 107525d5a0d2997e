/**
 * Which TCP ports a container's processes listen on, read from /proc/net/tcp{,6} of its network
 * namespace: that answers "nothing on 8500; listening on 8088" without a shell in the image.
 */
export function parseProcNetTcp(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st ... ; st 0A = LISTEN
    if (cols.length < 4 || cols[3] !== '0A') continue;
    const hexPort = cols[1]?.split(':').pop();
    if (hexPort && /^[0-9A-Fa-f]{4}$/.test(hexPort)) ports.add(parseInt(hexPort, 16));
  }
  return [...ports].sort((a, b) => a - b);
}
