/**
 * The one error family of getihu. Every failure the system reports carries a stable
 * `code` (never parse `message`), a human `message`, and `retriable`, which is the only
 * thing retry policies look at.
 */

/** Stable error codes and whether a retry can help. */
export const ERROR_CODES = {
  // input that can never become valid by retrying
  INVALID_JSON: false,
  INVALID_CSV: false,
  INVALID_ENCODING: false,
  INVALID_INPUT: false,
  INVALID_CREDIT_CODE: false,
  INVALID_DATE: false,
  INVALID_REGION_CODE: false,
  NOT_INDIVIDUAL_BUSINESS: false,
  ESTABLISHED_AFTER_AS_OF: false,
  EMPTY_LINE: false,
  // configuration and rule data
  INVALID_CONFIG: false,
  INVALID_RULESET: false,
  UNKNOWN_RULESET: false,
  NO_RULESET_IN_FORCE: false,
  INVALID_CATALOGUE: false,
  NO_CATALOGUE_IN_FORCE: false,
  INVALID_ARGUMENT: false,
  /** An input file named on the command line is missing or unreadable (the CLI exits 66). */
  NO_INPUT: false,
  // access (the gateway answers them with their HTTP statuses, gateway/errors.ts)
  UNAUTHENTICATED: false,
  FORBIDDEN: false,
  NOT_FOUND: false,
  CONFLICT: false,
  PAYLOAD_TOO_LARGE: false,
  UNSUPPORTED_MEDIA_TYPE: false,
  RATE_LIMITED: true,
  // infrastructure
  UNAVAILABLE: true,
  TIMEOUT: true,
  INTERNAL: false,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The error every getihu module throws. */
export class GetihuError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /** Machine-readable context, safe to show to the caller (never secrets). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GetihuError';
    this.code = code;
    this.retriable = ERROR_CODES[code];
    this.details = details === undefined ? undefined : Object.freeze({ ...details });
  }

  /** The public shape of the error: code and message, nothing internal. */
  toJSON(): { code: ErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a GetihuError (optionally with the given code). */
export function isGetihuError(err: unknown, code?: ErrorCode): err is GetihuError {
  return err instanceof GetihuError && (code === undefined || err.code === code);
}
