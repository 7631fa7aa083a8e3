/** Plain output for the scriptable commands: aligned tables, JSON, optional colour. */

export interface Out {
  write(s: string): unknown;
}

/** Colour is on only for a TTY, and never with NO_COLOR, FORCE_COLOR=0 or --no-color. */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  if (noColorFlag || env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  return isTTY;
}

const SGR: Record<string, [number, number]> = { green: [32, 39], yellow: [33, 39], red: [31, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] };
export type Paint = (style: keyof typeof SGR | string, s: string) => string;
export const makePaint = (on: boolean): Paint => (style, s) => (on && SGR[style] ? `\u001b[${SGR[style][0]}m${s}\u001b[${SGR[style][1]}m` : s);

/** Semantic colour of a workspace or job status (never the only signal: the word is printed too). */
export function statusStyle(status: string): string {
  if (['running', 'succeeded'].includes(status)) return 'green';
  if (['failed', 'canceled'].includes(status)) return 'red';
  if (['stopped', 'deleted'].includes(status)) return 'dim';
  return 'yellow';
}

const SGR_RE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
export const stripAnsi = (s: string): string => s.replace(SGR_RE, '');
const visibleLength = (s: string) => stripAnsi(s).length;

/** Renders rows under upper-case headers, columns separated by two spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c)))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Key/value block (for `show`). */
export function fields(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${(k + ':').padEnd(w + 1)}  ${v}`).join('\n') + '\n';
}

export const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
