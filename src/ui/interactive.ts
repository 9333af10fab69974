/** Placeholder: replaced by the terminal UI work (issue 3). */
import { P2PError } from '../errors.js';
import type { CliOptions } from '../program.js';

export function runInteractive(_options: CliOptions): Promise<number> {
  return Promise.reject(new P2PError('P2P_BAD_OPTION', 'the interactive terminal is not built yet; use --json'));
}
