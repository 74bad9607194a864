import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { UploadOutcome } from './engine/types.js';

/** One line of the JSON Lines report: a stale upload and what became of it. */
export interface ReportLine {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: string | null;
  ageSeconds: number | null;
  result: Exclude<UploadOutcome['result'], 'kept'>;
  error?: string;
  bytes?: number;
  parts?: number;
}

/**
 * The machine-readable report, written as the outcomes arrive: one JSON object per line,
 * nothing kept in memory, waiting for the disk when it falls behind.
 */
export class ReportFile {
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
      result,
      ...(outcome.error !== undefined && { error: outcome.error }),
      ...(outcome.size && { bytes: outcome.size.bytes, parts: outcome.size.parts }),
    };
    if (!this.stream.write(`${JSON.stringify(line)}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
