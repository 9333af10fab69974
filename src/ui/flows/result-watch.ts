/**
 * How the interactive frontend learns the outcome of the command it yielded,
 * without a second loop: the session runs one command at a time and asks the
 * source for the next only once the previous one's result went through the
 * view. So the frontend wraps its own view, notes the send results and errors
 * printed since it yielded (`begin`), and reads them on the next `next()`.
 */
import type { View } from '../../app/view.js';
import type { SendOutcome } from '../../core/node.js';

export interface CommandResult {
  /** Sends reported since `begin` (cause send/all). */
  readonly sent: readonly SendOutcome[];
  /** Errors printed since `begin` (a peer that does not resolve, a bad command). */
  readonly errors: readonly string[];
}

export class ResultWatch {
  #sent: SendOutcome[] = [];
  #errors: string[] = [];

  /** The view, with send results and errors also noted here. */
  wrap(view: View): View {
    return {
      ...view,
      sent: (outcome, cause) => {
        if (cause === 'send' || cause === 'all') this.#sent.push(outcome);
        view.sent(outcome, cause);
      },
      error: (message) => {
        this.#errors.push(message);
        view.error(message);
      },
    };
  }

  /** Forget what was noted: call right before yielding a command. */
  begin(): void {
    this.#sent = [];
    this.#errors = [];
  }

  /** What was noted since `begin`. */
  result(): CommandResult {
    return { sent: this.#sent, errors: this.#errors };
  }

  /** Whether a yielded send did not go out: an error, or a failed outcome. */
  failed(): boolean {
    return this.#errors.length > 0 || this.#sent.some((outcome) => !outcome.ok);
  }
}
