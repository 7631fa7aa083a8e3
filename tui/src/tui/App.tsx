/**
 * The Berth TUI: a view stack (home table → detail tabs → live log; create wizard; schedule
 * editor) over the API client. One input dispatcher routes keys for the home, detail and log
 * views and their dialogs through the keymap table; the wizard and the schedule editor own
 * their keys while they are on top.
 */
import { Box, Text, useApp, useInput } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiBuild, ApiWorkspace, CreateBuildBody } from '@berth/backstage-plugin-common';
import { autostopText, lastBuiltText, relative } from '../format.js';
import { workspaceFilter } from './filter.js';
import { commandFor, keyNames, paletteSuggestions, type View } from './keymap.js';
import { useTerminalSize } from './hooks.js';
import { LogView, type LogViewHandle } from './LogView.js';
import { Detail, TABS } from './Detail.js';
import { CreateWizard } from './CreateWizard.js';
import { ScheduleEditor } from './ScheduleEditor.js';
import type { TuiClient } from './types.js';
import { ConfirmDialog, Field, Footer, HelpOverlay, TypeNameDialog, editText } from './widgets.js';

type ViewState =
  | { kind: 'home' }
  | { kind: 'detail'; id: string; tab: number }
  | { kind: 'logs'; id: string; name: string; build: number }
  | { kind: 'create' }
  | { kind: 'schedule'; id: string; name: string };

type Modal =
  | { kind: 'confirm'; text: string; onYes(): void }
  | { kind: 'typeName'; name: string; text: string; value: string; onYes(): void }
  | { kind: 'help'; view: View };

export interface AppProps {
  client: TuiClient;
  url: string;
  onExit?(code: number): void;
  /** Live refresh period of the workspace table (ms). */
  refreshMs?: number;
}

const ACTIVE_JOB = ['pending', 'running', 'canceling'];

export function App({ client, url, onExit, refreshMs = 3000 }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize();
  const [stack, setStackState] = useState<ViewState[]>([{ kind: 'home' }]);
  // The stack is also kept in a ref so keys arriving in one chunk ("]]") see each other's effect.
  const stackRef = useRef(stack);
  const setStack = (fn: (s: ViewState[]) => ViewState[]) => { stackRef.current = fn(stackRef.current); setStackState(stackRef.current); };
  const [rows, setRows] = useState<ApiWorkspace[] | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [editingFilter, setEditingFilter] = useState(false);
  const [palette, setPaletteState] = useState<string | null>(null);
  const paletteRef = useRef<string | null>(null);
  const setPalette = (v: string | null) => { paletteRef.current = v; setPaletteState(v); };
  const [modal, setModalState] = useState<Modal | null>(null);
  const [flash, setFlash] = useState<{ text: string; error: boolean } | null>(null);
  const [me, setMe] = useState<string>('');
  const modalRef = useRef<Modal | null>(null);
  const loadedOnce = useRef(false);
  const editingRef = useRef(false);
  const cursorRef = useRef(0);
  const setEditing = (v: boolean) => { editingRef.current = v; setEditingFilter(v); };
  const logsRef = useRef<LogViewHandle>(null);
  const setModal = (m: Modal | null) => { modalRef.current = m; setModalState(m); };
  const top = stack[stack.length - 1];

  // ---- data: every page of the list, refreshed live; the selection is kept by id.
  const load = useCallback(async () => {
    try {
      const all: ApiWorkspace[] = [];
      for (let offset = 0; ;) {
        // The first page of the first load is small (a screenful, fast to answer); then pages of 500.
        const page = await client.listWorkspaces({ limit: !loadedOnce.current && offset === 0 ? 100 : 500, offset });
        all.push(...page.workspaces);
        offset += page.workspaces.length;
        if (!page.workspaces.length || offset >= page.count || all.length >= 20_000) break;
        // First load: show the first page at once instead of waiting for every page.
        if (!loadedOnce.current) setRows(all.slice());
      }
      loadedOnce.current = true;
      setRows(all);
      setUpdatedAt(Date.now());
      setLoadError(null);
    } catch (e) {
      setLoadError((e as Error).message);
    }
  }, [client]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), refreshMs);
    return () => clearInterval(t);
  }, [load, refreshMs]);
  useEffect(() => { client.whoami().then((w) => setMe(w.user), () => undefined); }, [client]);
  const [, setClock] = useState(0);
  useEffect(() => { const t = setInterval(() => setClock((c) => c + 1), 1000); return () => clearInterval(t); }, []);

  const predicate = useMemo(() => workspaceFilter(filter), [filter]);
  const filtered = useMemo(() => (rows ?? []).filter(typeof predicate === 'function' ? predicate : () => true), [rows, predicate]);
  let cursor = selectedId ? filtered.findIndex((w) => w.id === selectedId) : 0;
  if (cursor < 0) cursor = 0;
  cursorRef.current = cursor;
  const detailWs = top.kind === 'detail' ? rows?.find((w) => w.id === top.id) : undefined;

  const push = (v: ViewState) => setStack((s) => [...s, v]);
  const pop = () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s));
  const say = (text: string, error = false) => setFlash({ text, error });
  const fail = (what: string) => (e: Error) => say(`error: ${what}: ${e.message}`, true);

  const openLogs = (ws: { id: string; name: string }, build: number) => push({ kind: 'logs', id: ws.id, name: ws.name, build });
  const build = (ws: ApiWorkspace, transition: CreateBuildBody['transition']) => {
    say(`${transition} ${ws.name}…`);
    const p: Promise<ApiBuild> = transition === 'delete' ? client.deleteWorkspace(ws.id) : client.createBuild(ws.id, { transition });
    p.then((b) => { say(`${ws.name}: build #${b.build_number} (${b.transition}) ${b.job_status}`); void load(); openLogs(ws, b.build_number); }, fail(`${transition} ${ws.name}`));
  };

  /** Workspace actions shared by home, detail and logs. */
  const act = (command: string, ws: ApiWorkspace | undefined): boolean => {
    if (!ws) return false;
    switch (command) {
      case 'start': build(ws, 'start'); return true;
      case 'update': build(ws, 'update'); return true;
      case 'stop': setModal({ kind: 'confirm', text: `Stop ${ws.name}?`, onYes: () => build(ws, 'stop') }); return true;
      case 'restart': setModal({ kind: 'confirm', text: `Restart ${ws.name}?`, onYes: () => build(ws, 'restart') }); return true;
      case 'delete': setModal({ kind: 'typeName', name: ws.name, value: '', text: `Delete ${ws.name} and its resources?`, onYes: () => build(ws, 'delete') }); return true;
      case 'cancel': {
        const b = ws.latest_build;
        if (!b || !ACTIVE_JOB.includes(b.job_status)) { say(`${ws.name}: no running build to cancel`, true); return true; }
        setModal({ kind: 'confirm', text: `Cancel build #${b.build_number} (${b.transition}) of ${ws.name}?`, onYes: () => {
          client.cancelBuild(ws.id, b.build_number).then((r) => { say(`${ws.name}: build #${r.build_number} ${r.job_status}`); void load(); }, fail(`cancel ${ws.name}`));
        } });
        return true;
      }
      case 'logs':
        if (ws.latest_build) openLogs(ws, ws.latest_build.build_number);
        else say(`${ws.name} has no builds`, true);
        return true;
      case 'schedule': push({ kind: 'schedule', id: ws.id, name: ws.name }); return true;
      case 'refresh': void load(); say('refreshing…'); return true;
      default: return false;
    }
  };

  const quit = () => { onExit?.(0); exit(); };

  /** Runs a `:` palette line: `<command> [workspace]` (the selected or open workspace by default). */
  const runPalette = (line: string, top: ViewState) => {
    if (!line) return;
    const [cmd, ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    if (cmd === 'q' || cmd === 'quit') { quit(); return; }
    if (cmd === 'create') { push({ kind: 'create' }); return; }
    if (cmd === 'help') { setModal({ kind: 'help', view: top.kind === 'detail' ? 'detail' : 'home' }); return; }
    if (cmd === 'filter') { setStack(() => [{ kind: 'home' }]); setFilter(arg); return; }
    if (cmd === 'refresh') { say('refreshing…'); void load(); return; }
    const ws = arg
      ? rows?.find((w) => w.name === arg || `${w.owner.replace(/^user:default\//, '')}/${w.name}` === arg)
      : top.kind === 'detail' ? rows?.find((w) => w.id === top.id) : filtered[cursorRef.current];
    if (!ws) { say(arg ? `no workspace "${arg}"` : 'no workspace selected', true); return; }
    if (cmd === 'open') { push({ kind: 'detail', id: ws.id, tab: 0 }); return; }
    if (!act(cmd, ws)) say(`unknown command "${cmd}": try ${paletteSuggestions('', []).join(', ')}`, true);
  };

  /** One key (already named) in the current view; returns nothing. */
  const handle = (name: string, input: string) => {
    const top = stackRef.current[stackRef.current.length - 1];
    const m = modalRef.current;
    if (m) {
      if (m.kind === 'help') { setModal(null); return; }
      if (m.kind === 'confirm') { setModal(null); if (name === 'y' || name === 'Y') m.onYes(); else say('cancelled: nothing changed'); return; }
      if (m.kind === 'typeName') {
        if (name === 'esc') { setModal(null); say('cancelled: nothing changed'); return; }
        if (name === 'enter') { setModal(null); if (m.value === m.name) m.onYes(); else say('the name did not match: nothing changed', true); return; }
        const value = name === 'backspace' ? m.value.slice(0, -1) : name.length === 1 ? m.value + name : m.value;
        setModal({ ...m, value });
        return;
      }
    }
    void input;
    if (paletteRef.current !== null) {
      const text = paletteRef.current;
      if (name === 'esc') { setPalette(null); return; }
      if (name === 'tab') { const sug = paletteSuggestions(text, (rows ?? []).map((w) => w.name))[0]; if (sug) setPalette(`${sug} `); return; }
      if (name === 'enter') { setPalette(null); runPalette(text.trim(), top); return; }
      setPalette(name === 'backspace' ? text.slice(0, -1) : name.length === 1 ? text + name : text);
      return;
    }
    if (top.kind === 'home' && editingRef.current) {
      if (name === 'enter' || name === 'esc') { setEditing(false); if (name === 'esc') setFilter(''); return; }
      setFilter((f) => (name === 'backspace' ? f.slice(0, -1) : name.length === 1 ? f + name : f));
      return;
    }
    const view: View = top.kind === 'home' ? 'home' : top.kind === 'detail' ? 'detail' : 'logs';
    const command = commandFor(view, name);
    if (!command) return;
    if (command === 'help') { setModal({ kind: 'help', view }); return; }
    if (command === 'palette') { setPalette(''); return; }
    setFlash(null);
    if (top.kind === 'logs') {
      if (command === 'back' || command === 'detach') { pop(); say(`detached from build #${top.build} of ${top.name}: it keeps running`); return; }
      if (command === 'cancel') { act('cancel', rows?.find((w) => w.id === top.id)); return; }
      logsRef.current?.command(command);
      return;
    }
    if (top.kind === 'detail') {
      if (command === 'back') { pop(); return; }
      if (command === 'quit') { quit(); return; }
      if (command === 'nextTab' || command === 'prevTab') {
        const d = command === 'nextTab' ? 1 : TABS.length - 1;
        setStack((s) => [...s.slice(0, -1), { ...top, tab: (top.tab + d) % TABS.length }]);
        return;
      }
      act(command, detailWs);
      return;
    }
    // home
    const move = (i: number) => {
      const j = Math.max(0, Math.min(filtered.length - 1, i));
      const w = filtered[j];
      if (w) { cursorRef.current = j; setSelectedId(w.id); }
    };
    const cursor = cursorRef.current;
    const selected = filtered[cursor];
    const page = Math.max(1, size.rows - 6);
    switch (command) {
      case 'down': move(cursor + 1); return;
      case 'up': move(cursor - 1); return;
      case 'top': move(0); return;
      case 'bottom': move(filtered.length - 1); return;
      case 'pageDown': move(cursor + page); return;
      case 'pageUp': move(cursor - page); return;
      case 'filter': setEditing(true); return;
      case 'open': if (selected) push({ kind: 'detail', id: selected.id, tab: 0 }); return;
      case 'create': push({ kind: 'create' }); return;
      case 'quit': quit(); return;
      default: act(command, selected);
    }
  };

  const textTop = top.kind === 'create' || top.kind === 'schedule';
  useInput((input, key) => {
    // Keys that arrive together ("xy") are handled one by one, in order, dialogs included.
    for (const name of keyNames(input, key)) handle(name, input);
  }, { isActive: !textTop || modal !== null });

  // ---- render
  const width = size.columns;
  const header = (
    <Box justifyContent="space-between">
      <Text bold color="cyan">berth <Text dimColor>{url.replace(/\/api\/berth$/, '')}{me ? ` · ${me.replace(/^user:default\//, '')}` : ''}</Text></Text>
      <Text dimColor>{loadError ? <Text color="red">stale: {loadError.slice(0, 60)} · </Text> : null}{updatedAt ? `updated ${relative(new Date(updatedAt).toISOString())}` : 'loading…'}</Text>
    </Box>
  );
  const flashLine = flash ? <Text color={flash.error ? 'red' : 'green'} wrap="truncate">{flash.text}</Text> : null;
  const overlay = modal?.kind === 'help' ? <HelpOverlay view={modal.view} />
    : modal?.kind === 'confirm' ? <ConfirmDialog text={modal.text} />
      : modal?.kind === 'typeName' ? <TypeNameDialog name={modal.name} text={modal.text} value={modal.value} /> : null;

  let body;
  let view: View = 'home';
  if (top.kind === 'create') {
    body = <CreateWizard client={client} width={width} onCancel={pop} onCreated={(ws) => { void load(); setStack((s) => [...s.slice(0, -1), ...(ws.latest_build ? [{ kind: 'logs', id: ws.id, name: ws.name, build: ws.latest_build.build_number } as ViewState] : [])]); say(`created ${ws.name}`); }} />;
  } else if (top.kind === 'schedule') {
    body = <ScheduleEditor client={client} workspaceId={top.id} workspaceName={top.name} onDone={(msg) => { pop(); if (msg) say(msg); void load(); }} />;
  } else if (top.kind === 'logs') {
    view = 'logs';
    body = <LogView ref={logsRef} key={`${top.id}:${top.build}`} client={client} workspaceId={top.id} workspaceName={top.name} buildNumber={top.build} height={size.rows - 4} width={width - 6} />;
  } else if (top.kind === 'detail') {
    view = 'detail';
    body = detailWs ? <Detail client={client} ws={detailWs} tab={top.tab} width={width} height={size.rows - 5} /> : <Text>loading…</Text>;
  } else {
    body = <HomeTable rows={filtered} total={rows?.length ?? null} cursor={cursor} width={width} height={size.rows - 5 - (editingFilter || filter ? 1 : 0)} />;
  }
  return (
    <Box flexDirection="column" width={width}>
      {header}
      {top.kind === 'home' && (editingFilter || filter) ? (
        <Box>
          <Field label="filter" value={filter} active={editingFilter} error={typeof predicate === 'string' ? predicate : null} />
          <Text dimColor>  {filtered.length}/{rows?.length ?? 0}</Text>
        </Box>
      ) : null}
      {overlay ?? body}
      {palette !== null ? (
        <Box flexDirection="column">
          <Text><Text bold color="cyan">:</Text>{palette}<Text inverse> </Text></Text>
          <Text dimColor wrap="truncate">{paletteSuggestions(palette, (rows ?? []).map((w) => w.name)).slice(0, 6).join('  ') || 'Enter runs · Esc cancels'}</Text>
        </Box>
      ) : null}
      {flashLine}
      {textTop ? null : <Footer view={view} width={width} />}
    </Box>
  );
}

const STATUS_COLOR: Record<string, string> = { running: 'green', failed: 'red', canceled: 'red', stopped: 'gray', deleted: 'gray' };

/** The workspace table, windowed to the terminal height (only visible rows are rendered). */
export function HomeTable({ rows, total, cursor, width, height }: { rows: ApiWorkspace[]; total: number | null; cursor: number; width: number; height: number }) {
  if (total === null) return <Text>loading workspaces…</Text>;
  if (!rows.length) return <Text>{total ? 'no workspace matches the filter (Esc in the filter clears it)' : 'no workspaces yet: press c to create one'}</Text>;
  const bodyRows = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(cursor - Math.floor(bodyRows / 2), rows.length - bodyRows));
  const visible = rows.slice(start, start + bodyRows);
  const now = Date.now();
  // Columns by priority: drop AUTOSTOP, then LAST BUILT, then TEMPLATE on narrow terminals.
  const cols: { h: string; w: number; get(w: ApiWorkspace): string }[] = [
    { h: 'NAME', w: 24, get: (w) => w.name },
    { h: 'TEMPLATE', w: 14, get: (w) => w.template_name + (w.outdated ? '*' : '') },
    { h: 'STATUS', w: 10, get: (w) => w.status },
    { h: 'LAST BUILT', w: 18, get: (w) => lastBuiltText(w, now) },
    { h: 'AUTOSTOP', w: 18, get: (w) => autostopText(w) },
  ];
  while (cols.length > 2 && cols.reduce((a, c) => a + c.w + 2, 2) > width) cols.splice(cols.length === 3 ? 1 : cols.length - 1, 1);
  const cell = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  return (
    <Box flexDirection="column">
      <Text bold>{'  '}{cols.map((c) => cell(c.h, c.w)).join('  ')}</Text>
      {visible.map((w, i) => {
        const sel = start + i === cursor;
        return (
          <Text key={w.id} inverse={sel} wrap="truncate">
            {sel ? '> ' : '  '}
            {cols.map((c, j) => (c.h === 'STATUS'
              ? <Text key={c.h} color={STATUS_COLOR[w.status] ?? 'yellow'}>{cell(c.get(w), c.w)}{j < cols.length - 1 ? '  ' : ''}</Text>
              : `${cell(c.get(w), c.w)}${j < cols.length - 1 ? '  ' : ''}`))}
          </Text>
        );
      })}
      <Text dimColor>{cursor + 1}/{rows.length}{total !== rows.length ? ` (of ${total})` : ''}</Text>
    </Box>
  );
}

export { editText };
