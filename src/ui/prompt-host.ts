/**
 * The one writer to the terminal in interactive mode, and the owner of the
 * open prompt.
 *
 * Lines that arrive while a prompt is open (incoming messages, notices) must
 * appear above it without garbling what the user is typing. Inquirer's
 * AbortSignal seam does that cleanly: `print` queues the line and aborts the
 * open prompt, which erases itself (`clearPromptOnDone` is read when the
 * prompt closes, so it is true only for aborts); `ask` then writes the queued
 * lines and opens the prompt again from the state it reported (the
 * half-typed text and cursor, the highlighted choice). Abort, print and
 * re-open all happen in one run of microtasks, so no keypress can slip into
 * the gap: stdin is paused, not read, while no prompt is open.
 */
import { AbortPromptError, ExitPromptError } from '@inquirer/core';

/** Thrown out of `ask` when the user or a signal asked to quit. */
export class QuitRequested extends Error {
  constructor() {
    super('quit requested');
    this.name = 'QuitRequested';
  }
}

/** What a prompt is given: the Inquirer context plus a way to report its answer early. */
export interface PromptSession {
  readonly context: {
    readonly signal: AbortSignal;
    readonly input: NodeJS.ReadableStream;
    readonly output: NodeJS.WritableStream;
    readonly clearPromptOnDone: boolean;
  };
  /** Call the moment the answer is accepted (before Inquirer resolves a tick later). */
  answered(value: unknown): void;
}

export interface AskOptions {
  /**
   * Erase the prompt when it closes without an answer reported through
   * `answered` (Ctrl+C). Default true; pass false for prompts that cannot
   * report their answer, or they would vanish once answered.
   */
  readonly eraseUnanswered?: boolean;
}

interface OpenPrompt {
  readonly controller: AbortController;
  reason: 'reprint' | 'quit' | undefined;
  answer: { value: unknown } | undefined;
}

export interface PromptHostOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Ctrl+C inside a prompt (Inquirer's ExitPromptError). */
  readonly onInterrupt?: () => void;
}

export class PromptHost {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly #onInterrupt: () => void;
  #pending: string[] = [];
  #open: OpenPrompt | undefined;
  #closed = false;
  #reprintScheduled = false;
  /** Re-opens caused by incoming lines (for tests and curiosity). */
  reopened = 0;

  constructor(options: PromptHostOptions = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    this.#onInterrupt = options.onInterrupt ?? (() => undefined);
  }

  /** Whether a prompt is on screen now. */
  get prompting(): boolean {
    return this.#open !== undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Show a line now, or above the open prompt. Never dropped, never reordered. */
  print(line: string): void {
    const open = this.#open;
    if (open === undefined) {
      this.#flush();
      this.output.write(`${line}\n`);
      return;
    }
    this.#pending.push(line);
    if (this.#reprintScheduled) return;
    // Wait for the check phase: every message that completed in this poll
    // phase (a burst) is then printed with a single re-open of the prompt.
    this.#reprintScheduled = true;
    setImmediate(() => {
      this.#reprintScheduled = false;
      const current = this.#open;
      if (current === undefined) {
        this.#flush();
        return;
      }
      // An answered prompt is about to close by itself; the lines follow it.
      if (current.reason === undefined && current.answer === undefined) {
        current.reason = 'reprint';
        current.controller.abort('reprint');
      }
    });
  }

  /** Re-open the open prompt (its `run` is called again), e.g. a picker when the peer list changed. */
  refresh(): void {
    const open = this.#open;
    if (open === undefined || this.#reprintScheduled) return;
    this.#reprintScheduled = true;
    setImmediate(() => {
      this.#reprintScheduled = false;
      const current = this.#open;
      if (current === undefined) return this.#flush();
      if (current.reason === undefined && current.answer === undefined) {
        current.reason = 'reprint';
        current.controller.abort('reprint');
      }
    });
  }

  /** Write raw text (no newline added), e.g. a progress line rewritten in place. */
  write(text: string): void {
    this.#flush();
    this.output.write(text);
  }

  /**
   * Run a prompt until it answers. `run` is called again after every reprint,
   * and must re-open from the state its prompt last reported.
   * Throws QuitRequested on Ctrl+C in the prompt or after `close()`.
   */
  async ask<T>(run: (session: PromptSession) => Promise<T>, options: AskOptions = {}): Promise<T> {
    const eraseUnanswered = options.eraseUnanswered ?? true;
    for (;;) {
      if (this.#closed) throw new QuitRequested();
      this.#flush();
      const open: OpenPrompt = { controller: new AbortController(), reason: undefined, answer: undefined };
      const session: PromptSession = {
        context: {
          signal: open.controller.signal,
          input: this.input,
          output: this.output,
          // Read by Inquirer when the prompt closes: keep an answered prompt
          // as a record, erase one we aborted (it is drawn again) and, where
          // the prompt reports its answer, one left by Ctrl+C.
          get clearPromptOnDone() {
            if (open.answer !== undefined) return false;
            return open.reason !== undefined || eraseUnanswered;
          },
        },
        answered: (value) => {
          open.answer = { value };
        },
      };
      this.#open = open;
      try {
        return await run(session);
      } catch (error) {
        if (open.answer !== undefined) return open.answer.value as T;
        if (error instanceof AbortPromptError && open.reason === 'reprint') {
          this.reopened += 1;
          continue;
        }
        if (error instanceof AbortPromptError && open.reason === 'quit') throw new QuitRequested();
        if (error instanceof ExitPromptError) {
          this.#onInterrupt();
          throw new QuitRequested();
        }
        throw error;
      } finally {
        if (this.#open === open) this.#open = undefined;
        this.#flush();
      }
    }
  }

  /** No more prompts: the open one (if any) closes and `ask` throws QuitRequested. */
  close(): void {
    this.#closed = true;
    const open = this.#open;
    if (open && open.answer === undefined) {
      open.reason = 'quit';
      open.controller.abort('quit');
    }
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    this.output.write(`${lines.join('\n')}\n`);
  }
}
