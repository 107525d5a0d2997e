/** Every piece of run data (messages, logs, names) passes through esc before it reaches the page. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A stable, attribute-safe id fragment. */
export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';

export const when = (cond: unknown, html: () => string): string => (cond ? html() : '');
