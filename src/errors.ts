// Errors the action reports to the user. Each names what is at fault (an
// input, a destination, Marketing Cloud) and what to do; none holds a secret.

/** A thrown value's message, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ActionError extends Error {
  /** The input name, destination id or service the error is about, for the annotation title. */
  readonly subject: string;
  constructor(subject: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.subject = subject;
  }
}

/** An input is missing or malformed; raised before any side effect. */
export class InputError extends ActionError {}

/** A GitHub destination (or the escrow, or the state store) cannot be read or written. */
export class DestinationError extends ActionError {}

/** Marketing Cloud refused or failed a call. */
export class MarketingCloudError extends ActionError {
  readonly status?: number;
  constructor(subject: string, message: string, status?: number) {
    super(subject, message);
    this.status = status;
  }
}
