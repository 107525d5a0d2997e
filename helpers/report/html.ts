/** Every piece of run data (messages, logs, names) passes through esc before it reaches the page. */
export function esc(value: string | number): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

export const when = (cond: unknown, html: () => string): string => (cond ? html() : '');
