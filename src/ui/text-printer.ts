/** Placeholder: replaced by the terminal UI work (issue 3). */
import type { Writable } from 'node:stream';
import { createJsonPrinter } from '../json-printer.js';
import type { Printer } from '../script-mode.js';

export function createTextPrinter(output: Writable): Printer {
  return createJsonPrinter(output);
}
