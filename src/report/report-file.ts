import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { UploadOutcome } from '../engine/types.js';

/** One line of the JSON Lines report: a stale upload and what became of it. */
export interface ReportLine {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: string | null;
  ageSeconds: number | null;
  /** Who started the upload (Initiator.ID), as the store answers it; null when it names none. */
  initiator: string | null;
  result: Exclude<UploadOutcome['result'], 'kept'>;
  error?: string;
  bytes?: number;
  parts?: number;
}

/** Lines are written in chunks of about this size: one write per upload costs more. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The machine-readable report, written as the outcomes arrive: one JSON object per line,
 * held in memory a chunk at most, waiting for the disk when it falls behind. Only whole
 * lines are ever written.
 */
export class ReportFile {
  private chunk = '';

  private constructor(
    readonly path: string,
    private readonly stream: WriteStream,
  ) {}

  static async create(path: string): Promise<ReportFile> {
    const stream = createWriteStream(path, { flags: 'w' });
    await once(stream, 'open');
    return new ReportFile(path, stream);
  }

  /** Appends the outcome of a stale upload; a young (kept) one is not part of the report. */
  async write(outcome: UploadOutcome, nowMs: number): Promise<void> {
    const { upload, result } = outcome;
    if (result === 'kept') return;
    const line: ReportLine = {
      bucket: outcome.target.bucket,
      key: upload.key,
      uploadId: upload.uploadId,
      initiated: upload.initiated?.toISOString() ?? null,
      ageSeconds: upload.initiated ? Math.floor((nowMs - upload.initiated.getTime()) / 1000) : null,
      initiator: upload.initiator ?? null,
      result,
      ...(outcome.error !== undefined && { error: outcome.error }),
      ...(outcome.size && { bytes: outcome.size.bytes, parts: outcome.size.parts }),
    };
    this.chunk += `${JSON.stringify(line)}\n`;
    if (this.chunk.length >= CHUNK_CHARS) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  private async flush(): Promise<void> {
    const chunk = this.chunk;
    this.chunk = '';
    if (chunk !== '' && !this.stream.write(chunk)) await once(this.stream, 'drain');
  }
}
