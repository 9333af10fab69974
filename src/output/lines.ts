/** Plain lines to an output stream: the view for what is printed before a session starts (--show-config). */
import type { Writable } from 'node:stream';

export function printLines(output: Writable, lines: readonly string[]): void {
  output.write(`${lines.join('\n')}\n`);
}
