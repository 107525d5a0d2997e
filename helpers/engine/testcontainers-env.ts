/**
 * testcontainers defaults for this harness, applied when the environment does not choose. Import it before
 * testcontainers (it only reads these when it starts containers, but first is safest).
 * - TESTCONTAINERS_RYUK_DISABLED=true: the reaper image (testcontainers/ryuk) cannot be pulled here, and
 *   only the exact string "true" disables it. Harness containers carry labels (labels.ts) for sweeping instead.
 * - TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1: hosts with /.dockerenv make testcontainers think it runs in a
 *   container and pull alpine to find the gateway; 127.0.0.1 rather than localhost because ports are
 *   published on 127.0.0.1 only and localhost may resolve to ::1 first. Only for a local engine: a remote engine's mapped ports
 *   are on its own host, which testcontainers derives from DOCKER_HOST.
 */
import { engineEndpoint } from './endpoint.ts';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// Where mapped ports are reached: loopback for this host's engine, the engine's host for a remote one.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= engineEndpoint().publishHost;
