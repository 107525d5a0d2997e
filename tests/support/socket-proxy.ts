import { connect, createServer, type AddressInfo, type Server } from 'node:net';

/**
 * A TCP endpoint on 127.0.0.1 that forwards to the engine's unix socket: what an ssh-forwarded Pi socket or a
 * tcp-exposed remote engine looks like to the harness. Counts connections so a test can prove it was used.
 */
export async function startSocketProxy(
  socketPath = '/var/run/docker.sock',
): Promise<{ url: string; connections: () => number; stop: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((client) => {
    count++;
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    connections: () => count,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
