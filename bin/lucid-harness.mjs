#!/usr/bin/env node
// Thin launcher: registers tsx so the TypeScript sources run without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../helpers/cli/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(`lucid-harness: ${(e instanceof Error ? e.message : String(e)).replace(/\s*[\r\n]+\s*/g, ' ').trim()}`);
  if (process.env.LUCID_DEBUG) console.error(e);
  process.exitCode = 2;
}
