/** Small shared pieces: text editing, the footer, the help overlay and confirm dialogs. */
import { Box, Text, type Key } from 'ink';
import { footerHints, helpRows, type View } from './keymap.js';

/** Applies a key to a text value (typing, pasting, Backspace, Ctrl-U); null when it is not an edit. */
export function editText(value: string, input: string, key: Key): string | null {
  if (key.backspace || key.delete) return value.slice(0, -1);
  // Several Backspaces in one chunk arrive as plain input ("\x7f\x7f").
  if (/^[\u007f\b]+$/.test(input)) return value.slice(0, Math.max(0, value.length - input.length));
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl || key.meta || key.return || key.escape || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return null;
  if (!input) return null;
  // eslint-disable-next-line no-control-regex
  return value + input.replace(/[\u0000-\u001f\u007f]/g, '');
}

/** A one-line text field with a cursor block. */
export function Field({ label, value, active, error, hint }: { label: string; value: string; active: boolean; error?: string | null; hint?: string }) {
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold={active}>{active ? '> ' : '  '}{label}: </Text>
        <Text>{value}</Text>
        {active ? <Text inverse> </Text> : null}
      </Text>
      {error ? <Text color="red">    ✘ {error}</Text> : hint ? <Text dimColor>    {hint}</Text> : null}
    </Box>
  );
}

export function Footer({ view, width, extra }: { view: View; width: number; extra?: string }) {
  const right = extra ?? '';
  return (
    <Box>
      <Text dimColor>{footerHints(view, Math.max(10, width - right.length - 2))}</Text>
      {right ? <Text dimColor>{'  '}{right}</Text> : null}
    </Box>
  );
}

/** `?`: every binding of the view, from the keymap table. Any key closes it (the App routes keys). */
export function HelpOverlay({ view }: { view: View }) {
  const rows = helpRows(view);
  const w = Math.max(...rows.map(([k]) => k.length));
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys ({view})</Text>
      {rows.map(([k, d]) => <Text key={k + d}><Text bold>{k.padEnd(w)}</Text>  {d}</Text>)}
      <Text dimColor>any key closes this help</Text>
    </Box>
  );
}

/** A y/N question (default No); the App routes keys: only y confirms. */
export function ConfirmDialog({ text }: { text: string }) {
  return <Text bold color="yellow">{text} (y/N)</Text>;
}

/** Destructive confirmation: type the exact name, then Enter; Esc cancels. */
export function TypeNameDialog({ name, text, value }: { name: string; text: string; value: string }) {
  return (
    <Box flexDirection="column">
      <Text bold color="red">{text}</Text>
      <Field label={`type "${name}" and Enter to confirm, Esc cancels`} value={value} active />
    </Box>
  );
}
