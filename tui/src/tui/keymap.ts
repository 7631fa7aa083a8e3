/**
 * The TUI's one keymap table: every command with its keys, description and the views it works
 * in. Key dispatch, the footer hints and the `?` help overlay are all generated from it (the
 * Gemini CLI / lazygit pattern), so they cannot disagree.
 */
import type { Key } from 'ink';

export type View = 'home' | 'detail' | 'logs';

export interface Binding {
  command: string;
  keys: string[];
  /** Short label for the footer. */
  label: string;
  description: string;
  views: View[];
  /** Footer priority (lower shows first; hints drop from the end on narrow terminals). */
  footer?: number;
}

const ALL: View[] = ['home', 'detail', 'logs'];
const WS: View[] = ['home', 'detail'];

export const KEYMAP: Binding[] = [
  { command: 'down', keys: ['j', 'down'], label: 'down', description: 'Move down (logs: scroll, which pauses following)', views: ['home', 'logs'] },
  { command: 'up', keys: ['k', 'up'], label: 'up', description: 'Move up (logs: scroll, which pauses following)', views: ['home', 'logs'] },
  { command: 'top', keys: ['g', 'home'], label: 'top', description: 'Go to the first row', views: ['home', 'logs'] },
  { command: 'bottom', keys: ['G', 'end'], label: 'bottom', description: 'Go to the last row (logs: follow again)', views: ['home', 'logs'] },
  { command: 'pageDown', keys: ['pagedown', 'ctrl-d'], label: 'page down', description: 'Page down', views: ['home', 'logs'] },
  { command: 'pageUp', keys: ['pageup', 'ctrl-u'], label: 'page up', description: 'Page up', views: ['home', 'logs'] },
  { command: 'open', keys: ['enter'], label: 'open', description: 'Open the workspace', views: ['home'], footer: 1 },
  { command: 'filter', keys: ['/'], label: 'filter', description: 'Filter the table (owner:, template:, status:, name)', views: ['home'], footer: 2 },
  { command: 'create', keys: ['c'], label: 'create', description: 'Create a workspace', views: ['home'], footer: 3 },
  { command: 'start', keys: ['s'], label: 'start', description: 'Start the workspace', views: WS, footer: 4 },
  { command: 'stop', keys: ['x'], label: 'stop', description: 'Stop the workspace (asks, default No)', views: WS, footer: 5 },
  { command: 'restart', keys: ['R'], label: 'restart', description: 'Restart the workspace (asks)', views: WS },
  { command: 'update', keys: ['u'], label: 'update', description: "Update to the template's active version", views: WS },
  { command: 'delete', keys: ['D'], label: 'delete', description: 'Delete the workspace (type its name)', views: WS },
  { command: 'cancel', keys: ['C'], label: 'cancel build', description: 'Cancel the running build (asks)', views: ALL },
  { command: 'logs', keys: ['l'], label: 'logs', description: 'Live log of the latest build', views: WS, footer: 6 },
  { command: 'schedule', keys: ['e'], label: 'schedule', description: 'Edit autostart and autostop', views: WS },
  { command: 'refresh', keys: ['r'], label: 'refresh', description: 'Refresh now', views: WS },
  { command: 'nextTab', keys: [']', 'tab', 'right'], label: 'tab', description: 'Next tab', views: ['detail'], footer: 1 },
  { command: 'prevTab', keys: ['[', 'left'], label: 'prev tab', description: 'Previous tab', views: ['detail'] },
  { command: 'follow', keys: ['f'], label: 'follow', description: 'Toggle following the log', views: ['logs'], footer: 1 },
  { command: 'back', keys: ['esc'], label: 'back', description: 'Back (logs: detach; the build keeps running)', views: ['detail', 'logs'], footer: 0 },
  { command: 'detach', keys: ['ctrl-c'], label: 'detach', description: 'Detach from the log (never cancels the build)', views: ['logs'], footer: 2 },
  { command: 'palette', keys: [':'], label: 'command', description: 'Command palette (:stop dev, :logs, :create, :filter q, :q; Tab completes)', views: WS, footer: 7 },
  { command: 'help', keys: ['?'], label: 'help', description: 'Show this help', views: ALL, footer: 8 },
  { command: 'quit', keys: ['q', 'ctrl-c'], label: 'quit', description: 'Quit', views: ['home', 'detail'], footer: 9 },
];

/** Commands the `:` palette accepts (a workspace name may follow the workspace ones). */
export const PALETTE_COMMANDS = ['start', 'stop', 'restart', 'update', 'delete', 'cancel', 'logs', 'schedule', 'open', 'create', 'filter', 'refresh', 'help', 'quit', 'q'] as const;

/** Palette completions for what is typed so far: commands, then workspace names. */
export function paletteSuggestions(text: string, names: string[]): string[] {
  const [cmd, ...rest] = text.trimStart().split(/\s+/);
  if (!rest.length) return PALETTE_COMMANDS.filter((c) => c.startsWith(cmd ?? '') && c !== 'q');
  const arg = rest.join(' ');
  if (cmd === 'filter' || cmd === 'create') return [];
  return names.filter((n) => n.startsWith(arg)).slice(0, 5).map((n) => `${cmd} ${n}`);
}

/** Names the keys Ink reports; printable characters stay as they are. */
export function keyNames(input: string, key: Key): string[] {
  if (key.ctrl && input && input.length === 1) return [`ctrl-${input.toLowerCase()}`];
  if (key.upArrow) return ['up'];
  if (key.downArrow) return ['down'];
  if (key.leftArrow) return ['left'];
  if (key.rightArrow) return ['right'];
  if (key.pageDown) return ['pagedown'];
  if (key.pageUp) return ['pageup'];
  if (key.home) return ['home'];
  if (key.end) return ['end'];
  if (key.return) return ['enter'];
  if (key.escape) return ['esc'];
  if (key.tab) return ['tab'];
  if (key.backspace || key.delete) return ['backspace'];
  // Keys typed together arrive as one string ("sy"): each character is a key press.
  return [...input].map((c) => (c === '\u007f' || c === '\b' ? 'backspace' : c === '\r' ? 'enter' : c));
}

/** The command bound to `name` in `view`, or null. */
export function commandFor(view: View, name: string): string | null {
  const b = KEYMAP.find((x) => x.views.includes(view) && x.keys.includes(name));
  return b ? b.command : null;
}

const keyLabel = (k: string) => (k === 'esc' ? 'Esc' : k === 'enter' ? 'Enter' : k === 'ctrl-c' ? 'Ctrl-C' : k === 'ctrl-d' ? 'Ctrl-D' : k === 'ctrl-u' ? 'Ctrl-U' : k === 'tab' ? 'Tab' : k);

/** Footer hints for a view, fitted to `width` (lowest priority dropped first). */
export function footerHints(view: View, width: number): string {
  const hints = KEYMAP.filter((b) => b.views.includes(view) && b.footer !== undefined)
    .sort((a, b) => (a.footer ?? 0) - (b.footer ?? 0))
    .map((b) => `${keyLabel(b.keys[0])} ${b.label}`);
  const out: string[] = [];
  let len = 0;
  for (const h of hints) {
    if (len + h.length + (out.length ? 3 : 0) > width) break;
    out.push(h);
    len += h.length + (out.length > 1 ? 3 : 0);
  }
  return out.join(' · ');
}

/** Rows of the help overlay for a view: keys and description. */
export function helpRows(view: View): [string, string][] {
  return KEYMAP.filter((b) => b.views.includes(view)).map((b) => [b.keys.map(keyLabel).join(' / '), b.description]);
}
