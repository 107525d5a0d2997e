/**
 * Images without a registry or builder: deterministic layer tars, a docker-archive, POST /images/load.
 *
 * Exported API
 *
 *   buildImage({ platform, layers, config, tag, force?, log? }): Promise<BuiltImage>
 *     Writes the config (architecture, variant v8 on arm64, os, fixed created time, diff_ids, history),
 *     computes the image id (sha256 of the config bytes) and loads a docker-archive through the engine
 *     unless `tag` already points at that id. BuiltImage = { id, tag, layers, loaded, size }.
 *
 *   fileLayer(files: FileSpec[], createdBy: string): Promise<LayerRef>
 *     A layer from files: { path: '/app/x.py', content | source, mode?, uid?, gid?, type?, target? }.
 *     Missing parent directories are added as root 0755; list a directory to set its owner/mode
 *     (e.g. { path: '/app/logs/', uid: 65532, gid: 65532 }). Cached by diff_id under .cache/layers.
 *   writeLayer(entries: LayerEntry[], { createdBy }): Promise<LayerRef>     lower level, tar entries
 *   LayerRef = { diffId: 'sha256:…', path, size, createdBy }
 *
 *   ensureBaseImage(platform, { force?, log?, sources? }): Promise<BaseImage>    (fixtures/base/image.ts)
 *     The reference distroless python3-debian12 stand-in. It is a fixture built with this folder, so it is
 *     imported from fixtures/base/image.ts, not from here (helpers must not import fixtures). BaseImage = BuiltImage +
 *     { platform, config, packages }: build a service image as
 *       const base = await ensureBaseImage(p, { log });
 *       await buildImage({ platform: p, tag, layers: [...base.layers, await fileLayer(files, 'COPY …')],
 *                          config: { ...base.config, User: '65532:65532', Entrypoint: [...], … } });
 *   baseConfig(): ImageConfigInput         (fixtures/base/image.ts) distroless's Env (PATH, SSL_CERT_FILE), User 0, Entrypoint python3.11
 *
 *   ImageConfigInput: Docker's field names (User, Env, Entrypoint, Cmd, WorkingDir, ExposedPorts,
 *     Healthcheck{Test, Interval, Timeout, StartPeriod, Retries in ns}, Labels, StopSignal, Volumes).
 *   healthcheck({ test, intervalMs?, timeoutMs?, startPeriodMs?, retries? }), exposed(...ports)
 *   imageConfigJson(platform, layers, config): Buffer          the exact config bytes (id = sha256)
 *   dockerArchive(configJson, tags, layers), archiveManifest(…)  the docker-archive stream / manifest
 *   imageIdOf(tag), loadArchive(chunks)                         engine helpers
 *   cacheDir()                                                  <repo>/.cache or LUCID_CACHE_DIR
 *
 * Logs are single progress lines through the injectable `log` (the CLI sends them to stderr).
 */
export { buildImage, type BuildImageInput, type BuiltImage, type Log } from './build.ts';
export { cacheDir } from './cache.ts';
export { exposed, healthcheck, imageConfigJson, type ImageConfigInput } from './config.ts';
export { archiveManifest, dockerArchive } from './docker-archive.ts';
export { fileLayer, filesToEntries, writeLayer, type FileSpec, type LayerRef } from './layer.ts';
export { imageIdOf, loadArchive } from './load.ts';
export { DEFAULT_MTIME, type LayerEntry } from './tar-write.ts';
