// Steps the direct and the gateway anchoring flows share: waiting for confirmation, reading a block.
import type { Flow } from './context.ts';
import { requestLine, seenOf, type Exchange } from './exchange.ts';
import { expectField, expectNoProblems, expectStatus, objectBody, show } from './expect.ts';
import { judgeNamedFields, NAMED_FIELDS } from './checks.ts';
import { pollUntil } from './poll.ts';
import { mismatch } from './steps.ts';

interface Confirmed {
  record: Record<string, unknown>;
  /** Date.now() when the harness first saw `confirmed`. */
  confirmedAt: number;
  x: Exchange;
}

/** How long a just-accepted anchoring may still be unknown (404) to its own read-back: an asynchronous store. */
const NOT_YET_VISIBLE_MS = 5_000;

/**
 * Polls GET <basePath>/<sessionId> until status is confirmed, within the confirm budget. `failed`, or any
 * answer but 200 pending/confirmed (a 404 only once the anchoring had time to become visible), ends the wait
 * at once: an accepted anchoring cannot turn into `confirmed` by waiting then.
 */
export async function waitConfirmed(
  f: Flow,
  service: string,
  basePath: string,
  sessionId: string,
  root: string,
): Promise<Confirmed> {
  const { budgets, tokens } = f.env;
  const path = `${basePath}/${encodeURIComponent(sessionId)}`;
  const t0 = Date.now();
  const r = await pollUntil(
    async () => {
      const x = await f.call(service, 'GET', path, { token: tokens.user });
      const state = x.status === 200 ? (x.body as { status?: unknown } | undefined)?.status : undefined;
      if (state === 'confirmed') return { done: true, value: x };
      const waiting =
        (x.status === 200 && state === 'pending') || (x.status === 404 && Date.now() - t0 < NOT_YET_VISIBLE_MS);
      return { done: false, value: x, fatal: !waiting };
    },
    { budgetMs: budgets.confirmMs, intervalMs: budgets.pollMs },
  );
  const expected = `HTTP 200 with status "confirmed" within ${budgets.confirmMs / 1000} s of the anchoring`;
  if (!r.ok) {
    // A status outside §4.6's three (the real code's schema adds "processing") stops the wait: say why.
    const state = r.value.status === 200 ? (r.value.body as { status?: unknown } | undefined)?.status : undefined;
    const outside =
      typeof state === 'string' && !['pending', 'confirmed', 'failed'].includes(state)
        ? ` (status "${state}" is none of pending, confirmed, failed)`
        : '';
    mismatch(
      expected,
      `${seenOf(r.value)}${outside}${r.fatal ? '' : ` (still so after ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.attempts} polls)`}`,
      requestLine(r.value),
    );
  }
  const x = r.value;
  const record = objectBody(x);
  expectNoProblems(judgeNamedFields(record, 'the anchoring status', NAMED_FIELDS.status, { session_id: sessionId }), x);
  expectField(x, 'merkle_root', root, 'the anchored root');
  const h = record['block_height'];
  if (typeof h !== 'number' || !Number.isInteger(h) || h < 0)
    mismatch(
      'block_height: the integer height of the block that holds the anchoring',
      `block_height = ${show(h)}`,
      requestLine(x),
    );
  if (typeof record['transaction_id'] !== 'string')
    mismatch(
      'transaction_id: the tx id of the session_anchor',
      `transaction_id = ${show(record['transaction_id'])}`,
      requestLine(x),
    );
  return { record, confirmedAt: Date.now(), x };
}

export async function readBlock(
  f: Flow,
  service: string,
  path: string,
): Promise<{ x: Exchange; block: Record<string, unknown> }> {
  const x = await f.call(service, 'GET', path, { token: f.env.tokens.user });
  expectStatus(x, 200);
  return { x, block: objectBody(x) };
}

/** A block's block_id as a path segment: a string, or a number (the contract fixes no format) in its string form. */
export function blockIdOf(block: Record<string, unknown>): string {
  const id = block['block_id'];
  if ((typeof id === 'string' && id) || (typeof id === 'number' && Number.isFinite(id))) return String(id);
  return mismatch('a block_id in the block (a string or a number)', show(id));
}
