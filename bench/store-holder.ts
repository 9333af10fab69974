/**
 * The store bench's resident-set child: open the history at argv[2], do what
 * a session does with it at start-up and on /search (the last 50, recall,
 * known peers, the bench's searches), print `ready`, then hold it open until
 * killed. The parent reads this process's VmRSS.
 */
import { SqliteStore } from '../src/store/sqlite-store.js';
import { searchQueries } from './store-data.js';

const store = SqliteStore.open(process.argv[2] ?? '');
store.query({});
store.recentOutgoingTexts();
store.knownPeers();
for (const q of searchQueries(Number(process.argv[3] ?? 50))) store.query(q);
process.stdout.write('ready\n');
// Held until the parent's SIGKILL; gone by itself after a minute in any case.
setTimeout(() => store.close(), 60_000);
