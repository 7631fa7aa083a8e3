/**
 * Streams a job's log lines into Postgres as they arrive: lines are numbered (seq), buffered for
 * at most `flushMs` and written in batches together with the tailing progress, so readers see
 * them within a fraction of a second and a retried attempt continues without duplicates.
 */
import type { Db } from '../db/connection';
import { appendLogs } from '../db/builds';
import type { BuildLog, LogLevel, LogStage } from '../types';

export class JobLogWriter {
  private queue: BuildLog[] = [];
  private progress: Record<string, unknown> | undefined;
  private timer: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private lastError: Error | null = null;

  /**
   * `seq` = highest seq already stored for the job (0 for none). `secrets`: values masked as
   * `********` in every line (sensitive parameter values).
   */
  constructor(private readonly db: Db, private readonly jobId: string, public seq: number, flushMs = 100, private readonly secrets: string[] = []) {
    this.timer = setInterval(() => { void this.flush(); }, flushMs);
  }

  /** Queues one line (sensitive values masked). Output longer than 4 KiB is cut (with a marker). */
  add(level: LogLevel, stage: LogStage, source: BuildLog['source'], output: string): void {
    let masked = output;
    for (const secret of this.secrets) if (secret) masked = masked.split(secret).join('********');
    const text = masked.length > 4096 ? `${masked.slice(0, 4096)}… [line cut at 4 KiB]` : masked;
    this.queue.push({ seq: ++this.seq, createdAt: new Date(), level, stage, source, output: text });
  }

  /** Lines from the provisioner itself (Berth's own messages), level info unless given. */
  daemon(stage: LogStage, output: string, level: LogLevel = 'info'): void {
    this.add(level, stage, 'provisioner_daemon', output);
  }

  /** Records where tailing got to; stored with the next batch. */
  setProgress(p: Record<string, unknown>): void { this.progress = p; }

  /** Writes what is queued. Concurrent calls are serialised; a failed batch is kept for the next try. */
  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.queue.length && !this.progress) return;
      const batch = this.queue;
      const progress = this.progress;
      this.queue = [];
      this.progress = undefined;
      try {
        await appendLogs(this.db, this.jobId, batch, progress);
        this.lastError = null;
      } catch (e) {
        this.queue = [...batch, ...this.queue];
        this.progress = this.progress ?? progress;
        this.lastError = e as Error;
      }
    });
    return this.chain;
  }

  /** Stops the timer and writes the rest; throws the last write error if lines could not be stored. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.queue.length && this.lastError) throw this.lastError;
  }
}
