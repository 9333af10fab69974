/**
 * Ending the child processes the tests start: every helper that spawns one
 * stops it the same way, so none outlives its test.
 */
import type { ChildProcess } from 'node:child_process';

/** Kill `child` (SIGKILL) if it is still running and wait until it is gone. Idempotent. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Wait for `exited`, killing `child` if it has not exited within `timeoutMs`; resolves with its exit code. */
export async function exitWithin<T>(child: ChildProcess, exited: Promise<T>, timeoutMs: number): Promise<T> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
