import { UserInputError } from '../core/errors.js';

/** What a CLI command may touch, injected so tests run commands in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

/** A mistake in how the command was called, or input that cannot be read: exit 2 with one line. */
export class UsageError extends UserInputError {
  override name = 'UsageError';
}
