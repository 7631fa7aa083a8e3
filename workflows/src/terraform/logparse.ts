/**
 * Turns tofu's output into build log lines. `plan` and `apply` run with `-json` (one JSON
 * object per line: `@level`, `@message`, `type`, `diagnostic{severity,summary,detail}`);
 * `init` and anything that is not JSON is plain text: stdout → info, stderr → error (as Coder
 * logs them). Pure.
 */
import type { LogLevel } from '../types';

export interface Diagnostic { severity: 'error' | 'warning'; summary: string; detail: string; address?: string }

export interface ParsedLine {
  level: LogLevel;
  /** One or more display lines (a diagnostic's detail may span several). */
  lines: string[];
  /** tofu's JSON message type (`planned_change`, `apply_complete`, `diagnostic`, …), if any. */
  type?: string;
  diagnostic?: Diagnostic;
}

/** local-exec "Executing:" lines are cut to this many characters. */
export const MAX_EXECUTING_LINE = 240;

const LEVELS: Record<string, LogLevel> = { trace: 'trace', debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error' };

/** Parses one line of tofu output from `stream`. Returns null for blank lines. */
export function parseTofuLine(raw: string, stream: 'stdout' | 'stderr'): ParsedLine | null {
  const line = raw.replace(/\r$/, '');
  if (line.trim() === '') return null;
  if (line.startsWith('{')) {
    try {
      const j = JSON.parse(line) as Record<string, any>;
      if (typeof j['@message'] === 'string') {
        const level = LEVELS[String(j['@level'] ?? 'info')] ?? 'info';
        const type = typeof j.type === 'string' ? j.type : undefined;
        if (type === 'diagnostic' && j.diagnostic) {
          const d = j.diagnostic as Record<string, any>;
          const diagnostic: Diagnostic = {
            severity: d.severity === 'warning' ? 'warning' : 'error',
            summary: String(d.summary ?? ''),
            detail: String(d.detail ?? ''),
            address: typeof d.address === 'string' ? d.address : undefined,
          };
          const lines = [String(j['@message'])];
          for (const l of diagnostic.detail.split('\n')) if (l.trim() !== '') lines.push(`  ${l}`);
          return { level: diagnostic.severity === 'warning' ? 'warn' : 'error', lines, type, diagnostic };
        }
        let message = String(j['@message']);
        // local-exec echoes its whole command; long scripts would bury the output.
        if (/: \(local-exec\): Executing: /.test(message) && message.length > MAX_EXECUTING_LINE) {
          message = `${message.slice(0, MAX_EXECUTING_LINE)}… (${message.length - MAX_EXECUTING_LINE} more characters)`;
        }
        return { level: type === 'version' ? 'debug' : level, lines: message.split('\n'), type };
      }
    } catch {
      // not JSON: fall through to plain text
    }
  }
  return { level: stream === 'stderr' ? 'error' : 'info', lines: [line] };
}

/**
 * One-line error for a failed tofu command: the error diagnostics (`summary: detail`, detail
 * squeezed to one line), else the last stderr lines, else the exit status.
 */
export function summarizeFailure(diagnostics: Diagnostic[], stderrTail: string[], exit: string): string {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    return errors.map((d) => {
      const detail = d.detail.replace(/\s+/g, ' ').trim();
      return detail ? `${d.summary}: ${detail}` : d.summary;
    }).join('; ');
  }
  // Plain-text errors (init): from the last line that starts an error, else the last lines.
  const lines = stderrTail.map((l) => l.trim()).filter(Boolean);
  let from = -1;
  for (let i = lines.length - 1; i >= 0; i--) if (/^(Error|│ Error):/.test(lines[i])) { from = i; break; }
  const tail = (from >= 0 ? lines.slice(from) : lines.slice(-5)).join(' ');
  return tail ? `${tail} (${exit})` : `tofu ${exit}`;
}
