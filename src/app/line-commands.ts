/**
 * Commands from a stream of lines (stdin in `--json` and piped mode), one per
 * line. The session pulls them one at a time; lines that arrive meanwhile
 * wait their turn. End of input ends the commands (which means quit).
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { parseCommand, type Command } from '../protocol/commands.js';
import type { CommandSource } from './session.js';

export class LineCommands implements CommandSource {
  readonly #lines: readline.Interface;
  readonly #queue: string[] = [];
  #waiting: ((line: string | undefined) => void) | undefined;
  #ended = false;

  constructor(input: Readable) {
    this.#lines = readline.createInterface({ input, crlfDelay: Infinity, terminal: false });
    this.#lines.on('line', (line) => this.#push(line));
    this.#lines.on('close', () => this.#end());
  }

  async next(): Promise<Command | undefined> {
    for (;;) {
      const line = await this.#nextLine();
      if (line === undefined) return undefined;
      const command = parseCommand(line);
      if (command.type !== 'none') return command;
    }
  }

  close(): void {
    this.#lines.close();
    this.#end();
  }

  #nextLine(): Promise<string | undefined> {
    const line = this.#queue.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  #push(line: string): void {
    // Anything after the end (readline hands over the rest of a chunk) is ignored.
    if (this.#ended) return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) waiting(line);
    else this.#queue.push(line);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(undefined);
  }
}
