/** The menu's choices: the original's numbering and words; 4 and 5 are new, 0 stays Quit. */
import type { Choice } from '../prompts.js';

export type MenuAction = 'send' | 'peers' | 'connect' | 'all' | 'history' | 'quit';

export const MENU: readonly Choice<MenuAction>[] = [
  { key: '1', label: 'Send message', value: 'send' },
  { key: '2', label: 'Query active peers', value: 'peers' },
  { key: '3', label: 'Connect to active peers', value: 'connect' },
  { key: '4', label: 'Send to all peers', value: 'all' },
  { key: '5', label: 'History', value: 'history' },
  { key: '0', label: 'Quit', value: 'quit' },
];
