/**
 * Where the history lives by default: one store per listening port, so two
 * p2pchats on one machine (Alice on 5000, Bob on 5001) keep apart histories.
 * Pure: the environment and the home folder come in as parameters.
 */
import path from 'node:path';

/** The folder inside the data home; created 0700 by the store. */
export const HISTORY_FOLDER = 'p2pchat';

/**
 * `$XDG_DATA_HOME/p2pchat/history-<port>.db`, or `<homedir>/.local/share/p2pchat/history-<port>.db`
 * when XDG_DATA_HOME is unset, empty or relative (the XDG spec says to ignore a relative one).
 * @throws RangeError for a port outside 1..65535 or a home folder that is not absolute.
 */
export function defaultHistoryPath(port: number, env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`history port must be 1..65535, got ${String(port)}`);
  const xdg = env.XDG_DATA_HOME;
  let dataHome: string;
  if (xdg && path.isAbsolute(xdg)) dataHome = xdg;
  else if (homedir && path.isAbsolute(homedir)) dataHome = path.join(homedir, '.local', 'share');
  else throw new RangeError(`no absolute XDG_DATA_HOME and home folder "${homedir}" is not absolute`);
  return path.join(dataHome, HISTORY_FOLDER, `history-${port}.db`);
}
