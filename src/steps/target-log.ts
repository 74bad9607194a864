import type { Runner } from '../runner/runner.js';

type Level = 'info' | 'debug' | 'error';

/**
 * One target's log lines. Targets are cleaned several at once, but GitHub's log groups can
 * neither nest nor interleave: each target's lines are held until every target before it in
 * the input is written, then written in its group, and from then on as they come (the first
 * target is written live, as one target alone always was).
 */
export class TargetLog {
  private held: Array<[Level, string]> | undefined = [];
  private finish!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(
    readonly title: string,
    private readonly runner: Pick<Runner, Level>,
  ) {}

  info(message: string): void {
    this.write('info', message);
  }

  debug(message: string): void {
    this.write('debug', message);
  }

  error(message: string): void {
    this.write('error', message);
  }

  /** The target is done: its group may close. */
  end(): void {
    this.finish();
  }

  /** Writes what was held, then each line as it comes, until the target is done. */
  async release(): Promise<void> {
    for (const [level, message] of this.held ?? []) this.runner[level](message);
    this.held = undefined;
    await this.finished;
  }

  private write(level: Level, message: string): void {
    if (this.held) this.held.push([level, message]);
    else this.runner[level](message);
  }
}

/** Writes the targets' logs in the input's order, each in a group of its own. */
export async function writeInOrder(logs: TargetLog[], runner: Runner): Promise<void> {
  for (const log of logs) await runner.group(log.title, () => log.release());
}
