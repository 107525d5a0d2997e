import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { RegistryClient } from './client.ts';
import { PlatformMismatchError, PlatformMissingError, RegistryError } from './errors.ts';
import { describeRegistryTargets, resolveRegistryTargets, type TagProblem } from './targets.ts';
import type { PlanTarget } from '../model/target.ts';

/** A published image is wrong (exit 1), as opposed to a registry that can't be used (exit 2). */
export class PublishedImageWrong extends Error {}

/** Resolves every service × platform of the tags to pulled image ids; names carry the tag when several are checked. */
export async function registryTargets(input: {
  contract: Contract;
  registry: string;
  tags: string[];
  plainHttp: boolean;
  services: string[];
  platforms: readonly Platform[];
  log: (l: string) => void;
}): Promise<{ targets: PlanTarget[]; tagProblems: TagProblem[] }> {
  const client = new RegistryClient({
    registry: input.registry,
    plainHttp: input.plainHttp || undefined,
    log: input.log,
  });
  const out: PlanTarget[] = [];
  const tagProblems: TagProblem[] = [];
  for (const tag of input.tags) {
    try {
      const resolved = await resolveRegistryTargets({
        contract: input.contract,
        registry: client,
        tag,
        services: input.services,
        platforms: input.platforms,
        log: input.log,
        problems: tagProblems,
      });
      for (const line of describeRegistryTargets(resolved)) input.log(line);
      for (const t of resolved) {
        out.push({
          service: t.service,
          platform: t.platform,
          image: t.image,
          label: t.label,
          name: input.tags.length > 1 ? `${t.service}:${tag}` : undefined,
          tag,
          indexDigest: t.indexDigest,
          manifestDigest: t.manifestDigest,
          compressedSize: t.compressedSize,
        });
      }
    } catch (e) {
      if (e instanceof PlatformMissingError || e instanceof PlatformMismatchError)
        throw new PublishedImageWrong(e.message);
      if (e instanceof RegistryError) throw e;
      throw e;
    }
  }
  return { targets: out, tagProblems };
}
