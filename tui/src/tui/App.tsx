import { Text, useApp } from 'ink';
import { useEffect } from 'react';

/** Placeholder until the TUI lands: says so and exits. */
export function App(p: { client: unknown; url: string; onExit(c: number): void }) {
  const { exit } = useApp();
  useEffect(() => { p.onExit(0); exit(); }, [exit, p]);
  return <Text>The berth TUI is not built yet: use the subcommands (berth --help).</Text>;
}
