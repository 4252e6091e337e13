import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/errors.ts
function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}
var ActionError = class extends Error {
  /** The input name, destination id or service the error is about, for the annotation title. */
  subject;
  constructor(subject, message) {
    super(message);
    this.name = new.target.name;
    this.subject = subject;
  }
};
var InputError = class extends ActionError {
};
var DestinationError = class extends ActionError {
};
var MarketingCloudError = class extends ActionError {
  status;
  constructor(subject, message, status) {
    super(subject, message);
    this.status = status;
  }
};

export {
  errorMessage,
  ActionError,
  InputError,
  DestinationError,
  MarketingCloudError
};
