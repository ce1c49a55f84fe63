/**
 * Typed domain errors. Each carries a stable `code` (adapters map codes to replies) and a
 * user-facing `message` written for a person in a chat, never a stack trace.
 */
export type DomainErrorCode =
  | 'unknown-review'
  | 'unknown-district'
  | 'unknown-row'
  | 'round-closed'
  | 'deadline-passed'
  | 'not-member'
  /** A vote on a small group's own poll by someone outside that group (domain/groups.ts). */
  | 'not-in-group'
  | 'not-coordinator'
  | 'not-admin'
  | 'bad-level'
  | 'invalid-state'
  | 'invalid-input'
  | 'conflict'
  | 'store-unavailable';

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** Field-level details for forms (field path → message). */
  readonly fields: Readonly<Record<string, string>>;

  constructor(code: DomainErrorCode, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.fields = fields;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** The answer wherever a command needs the district team of a channel that was never set up. */
export const notSetUp = (): DomainError =>
  new DomainError(
    'unknown-district',
    'This channel is not set up as a district team yet. A coordinator can set it up with the "setup" command.',
  );
