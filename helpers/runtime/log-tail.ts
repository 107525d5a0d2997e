import type { Readable } from 'node:stream';

/** Keeps the last lines a container printed, so a failure can show them after the container is gone. */
export class LogTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max = 200) {}

  consume = (stream: Readable): void => {
    stream.on('data', (chunk: Buffer | string) => this.push(chunk.toString()));
    stream.on('error', () => {});
  };

  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p.replace(/\r$/, ''));
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  tail(n = 40): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).join('\n');
  }
}
