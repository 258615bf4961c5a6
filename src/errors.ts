// Errors a user can act on: a message, the fix, and the exit code. Mapped to one line and an exit code in one place (src/cli/main.ts).

/** Exit codes, as in DESIGN.md: 0 ok, 1 an expectation failed, 2 bad input or usage, 3 backend unavailable. */
export const ExitCode = {
  ok: 0,
  expectationFailed: 1,
  usage: 2,
  backendUnavailable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad input or usage: an unknown profile, a malformed file, a missing argument. */
export class UserError extends Error {
  readonly exitCode: ExitCode = ExitCode.usage;
  constructor(
    message: string,
    /** What the user should do about it, said as an instruction. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The chosen backend cannot run on this machine (no Docker engine for kind, and so on). */
export class BackendUnavailableError extends UserError {
  override readonly exitCode: ExitCode = ExitCode.backendUnavailable;
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'BackendUnavailableError';
  }
}

/** One line for the terminal: the message and, after a dash, the fix. */
export function formatUserError(error: UserError): string {
  return error.hint ? `${error.message} — ${error.hint}` : error.message;
}
