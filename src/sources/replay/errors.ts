/**
 * A blocks or prices file that cannot be used. Carries the file and line so the CLI can print
 * `file:line: reason` and exit 2 without having emitted anything (the whole file is validated
 * before any line is used).
 */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
  constructor(
    readonly file: string,
    /** 1-based line number; 0 when the problem is the file as a whole (missing, empty). */
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${reason}` : `${file}: ${reason}`);
  }
}
