/**
 * A build's log, staged like the TUI and Coder's CLI: setup → init → plan → apply → cleanup,
 * each with a spinner while it runs, then ✔ (or ✘/⊘) and its duration. Lines arrive live over
 * Server-Sent Events (`GET …/logs?follow=true`) until the build ends; closing the view detaches
 * and never cancels the build. Follow mode keeps the newest line in view until the user scrolls up.
 */
import { useEffect, useRef, useState } from 'react';
import { Box, Button, CircularProgress, Typography, makeStyles } from '@material-ui/core';
import { addLines, emptyLog, endLog, formatDuration, stageDuration, stageMark, type ApiBuild, type StagedLog } from '@berth/backstage-plugin-common';
import { useBerthApi } from '../hooks';

const useStyles = makeStyles((theme) => ({
  log: {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 12,
    lineHeight: 1.5,
    background: theme.palette.type === 'dark' ? theme.palette.background.default : theme.palette.grey[100],
    color: theme.palette.text.primary,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(1, 1.5),
    overflow: 'auto',
    maxHeight: '60vh',
  },
  stage: { display: 'flex', alignItems: 'center', gap: theme.spacing(1), fontWeight: 600, marginTop: theme.spacing(0.5) },
  line: { whiteSpace: 'pre-wrap', wordBreak: 'break-word', paddingLeft: theme.spacing(3) },
  warn: { color: theme.palette.warning.main },
  error: { color: theme.palette.error.main },
  done: { color: theme.palette.success.main },
  failed: { color: theme.palette.error.main },
}));

export interface BuildLogProps {
  workspaceId: string;
  buildNumber: number;
  /** Called once when the build has ended (with its final state). */
  onEnded?(build: ApiBuild | null, jobStatus: string): void;
}

/** The staged, live log of one build. */
export function BuildLog({ workspaceId, buildNumber, onEnded }: BuildLogProps) {
  const api = useBerthApi();
  const classes = useStyles();
  const [log, setLog] = useState<StagedLog>(emptyLog);
  const [error, setError] = useState<string | null>(null);
  const [final, setFinal] = useState<ApiBuild | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const lastSeq = useRef(0);
  const endedRef = useRef(onEnded);
  endedRef.current = onEnded;

  useEffect(() => {
    setLog(emptyLog());
    setFinal(null);
    lastSeq.current = 0;
  }, [workspaceId, buildNumber]);

  useEffect(() => {
    const abort = new AbortController();
    setError(null);
    api.followBuildLogs(workspaceId, buildNumber, {
      after: lastSeq.current,
      signal: abort.signal,
      onLog: (line) => {
        lastSeq.current = line.seq;
        setLog((l) => addLines(l, [line]));
      },
    }).then(async ({ jobStatus }) => {
      if (abort.signal.aborted || jobStatus === 'detached') return;
      let build: ApiBuild | null = null;
      try { build = await api.getBuild(workspaceId, buildNumber); } catch { /* the log still ended */ }
      if (abort.signal.aborted) return;
      setLog((l) => endLog(l, jobStatus));
      setFinal(build);
      endedRef.current?.(build, jobStatus);
    }, (e: Error) => {
      if (!abort.signal.aborted) setError(e.message);
    });
    return () => abort.abort();
  }, [api, workspaceId, buildNumber, attempt]);

  // running stages count their duration up
  useEffect(() => {
    if (log.end) return undefined;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [log.end]);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [log, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };

  return (
    <Box>
      <div ref={box} className={classes.log} onScroll={onScroll} role="log" aria-live="polite" aria-label={`log of build #${buildNumber}`} tabIndex={0}>
        {!log.stages.length && !log.end && !error && (
          <div className={classes.stage}><CircularProgress size={12} aria-label="waiting" /> waiting for the provisioner…</div>
        )}
        {log.stages.map((s, i) => (
          <div key={`${s.name}-${i}`} data-testid={`stage-${s.name}`}>
            <div className={classes.stage}>
              {s.state === 'running' ? <CircularProgress size={12} aria-label="running" /> : <span className={s.state === 'done' ? classes.done : classes.failed} aria-label={s.state}>{stageMark(s.state)}</span>}
              <span>{s.name}</span>
              <span>{formatDuration(stageDuration(s, Math.max(now, Date.now())))}</span>
            </div>
            {s.lines.map((l) => (
              <div key={l.seq} className={`${classes.line} ${l.level === 'error' ? classes.error : l.level === 'warn' ? classes.warn : ''}`}>{l.output}</div>
            ))}
          </div>
        ))}
        {log.end && (
          <Typography variant="body2" className={log.end === 'succeeded' ? classes.done : classes.failed} style={{ marginTop: 8 }} data-testid="build-end">
            {`build #${buildNumber} ${log.end}`}
            {final?.duration_ms !== null && final?.duration_ms !== undefined ? ` in ${formatDuration(final.duration_ms)}` : ''}
            {final?.error ? `: ${final.error}` : ''}
          </Typography>
        )}
      </div>
      {error && (
        <Box display="flex" alignItems="center" mt={1} role="alert">
          <Typography variant="body2" color="error">{`Log stream interrupted: ${error}`}</Typography>
          <Button size="small" onClick={() => setAttempt((a) => a + 1)}>Reconnect</Button>
        </Box>
      )}
      {!follow && !log.end && <Button size="small" onClick={() => setFollow(true)}>Follow the log</Button>}
    </Box>
  );
}
