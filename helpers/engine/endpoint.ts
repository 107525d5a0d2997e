/**
 * Where the engine is, and so where its published ports are. A unix socket is this host's engine (ports on
 * 127.0.0.1), unless LUCID_ENGINE_REMOTE=1 says the socket is forwarded from another machine (ssh -L of the
 * Pi's socket); tcp://HOST:PORT is a remote engine whose ports are on HOST.
 */
interface EngineEndpoint {
  url: string;
  /** This host's engine: its processes are visible in /proc here and its ports are on 127.0.0.1. */
  local: boolean;
  /** The address published ports are bound to and reached at. */
  publishHost: string;
}

export function engineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const url = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  const forwarded = env.LUCID_ENGINE_REMOTE === '1' || env.LUCID_ENGINE_REMOTE === 'true';
  let host = '127.0.0.1';
  if (/^(tcp|http|https):\/\//.test(url)) host = new URL(url.replace(/^tcp:/, 'http:')).hostname;
  else if (url.startsWith('ssh://')) host = new URL(url).hostname;
  const local = url.startsWith('unix://') && !forwarded;
  return { url, local, publishHost: env.LUCID_PUBLISH_HOST || (host === 'localhost' ? '127.0.0.1' : host) };
}
