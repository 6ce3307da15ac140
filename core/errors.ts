// The one error hierarchy every layer uses. Errors cross module copies and, for Pulumi, processes,
// so each class has a literal `name` and a guard that checks the name, never `instanceof`.
// Messages are safe to show: never key material, tokens or whole request bodies. An internal
// cause is kept apart in `cause` and is not part of the message.

/** One problem found by a validator: the field (Vault's snake_case name) and a message. */
export interface Issue {
  readonly field: string;
  readonly message: string;
}

/** Base of every error this project raises on purpose. `status` is the HTTP status Vault would answer with. */
export abstract class SshCaError extends Error {
  abstract override readonly name: string;
  abstract readonly status: number;

  constructor(message = '', options?: ErrorOptions) {
    super(message, options);
    // Set again on purpose: in a serialized Pulumi provider classes become plain functions, and
    // Error called as a function cannot initialise `this`.
    this.message = message;
  }
}

/**
 * The caller's request is wrong (Vault's "error response", HTTP 400). The message is what Vault says,
 * verbatim where we answer as Vault.
 */
export class RequestError extends SshCaError {
  override readonly name = 'RequestError' as const;
  readonly status = 400;
}

/** Several problems found at once (HTTP 400); `issues` lists every one, `message` joins them. */
export class ValidationError extends SshCaError {
  override readonly name = 'ValidationError' as const;
  readonly status = 400;
  constructor(readonly issues: readonly Issue[]) {
    super(issues.map((i) => i.message).join('; '));
  }
}

/** Something failed that the caller cannot fix (HTTP 500). `cause` holds the internal detail. */
export class InternalError extends SshCaError {
  override readonly name = 'InternalError' as const;
  readonly status = 500;
}

/** The caller may not do this (HTTP 403). */
export class PermissionDeniedError extends SshCaError {
  override readonly name = 'PermissionDeniedError' as const;
  readonly status = 403;
  constructor() {
    super('permission denied');
  }
}

/**
 * A token was presented that the server does not know: never issued, revoked, expired or used up
 * (HTTP 403). Vault answers `permission denied` and `invalid token` together, in one go-multierror
 * text (vault/request_handling.go, fetchACLTokenEntryAndEntity), which is this error's message.
 */
export class InvalidTokenError extends SshCaError {
  override readonly name = 'InvalidTokenError' as const;
  readonly status = 403;
  constructor() {
    super('2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n');
  }
}

/**
 * The backend refuses, with its own message (HTTP 403, plain text): Vault's error response returned
 * together with `logical.ErrPermissionDenied` (AppRole's `invalid secret id accessor`).
 */
export class ForbiddenError extends SshCaError {
  override readonly name = 'ForbiddenError' as const;
  readonly status = 403;
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends SshCaError {
  override readonly name = 'NotFoundError' as const;
  readonly status = 404;
}

/** No path of the backend matches (HTTP 404, Vault's `unsupported path`). */
export class UnsupportedPathError extends SshCaError {
  override readonly name = 'UnsupportedPathError' as const;
  readonly status = 404;
  constructor() {
    super('unsupported path');
  }
}

/** The path exists but not for this operation (HTTP 405, Vault's `unsupported operation`). */
export class UnsupportedOperationError extends SshCaError {
  override readonly name = 'UnsupportedOperationError' as const;
  readonly status = 405;
  constructor() {
    super('unsupported operation');
  }
}

/** An HTTP method Vault does not know (HTTP 405, empty error list). */
export class MethodNotAllowedError extends SshCaError {
  override readonly name = 'MethodNotAllowedError' as const;
  readonly status = 405;
  constructor() {
    super('');
  }
}

/** A request body over the size limit (HTTP 413). */
export class RequestTooLargeError extends SshCaError {
  override readonly name = 'RequestTooLargeError' as const;
  readonly status = 413;
  constructor() {
    super('http: request body too large');
  }
}

/** The server is sealed or not initialised: only the seal paths answer (HTTP 503, Vault's message). */
export class SealedError extends SshCaError {
  override readonly name = 'SealedError' as const;
  readonly status = 503;
  constructor() {
    super('Vault is sealed');
  }
}

/** A command line that cannot be understood (CLI exit code 2). */
export class UsageError extends SshCaError {
  override readonly name = 'UsageError' as const;
  readonly status = 400;
}

const hasName = (e: unknown, name: string): boolean =>
  typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name;

// An array, not a Set: Pulumi's closure serializer turns module-level Sets into plain objects.
const NAMES: readonly string[] = [
  'RequestError',
  'ValidationError',
  'InternalError',
  'PermissionDeniedError',
  'InvalidTokenError',
  'ForbiddenError',
  'NotFoundError',
  'UsageError',
  'UnsupportedPathError',
  'UnsupportedOperationError',
  'MethodNotAllowedError',
  'RequestTooLargeError',
  'SealedError',
  'VaultApiError', // client/vault-client.ts: the backend's answer, or no answer
];

/** True for any error of this hierarchy, from any copy of this module. */
export const isSshCaError = (e: unknown): e is SshCaError =>
  typeof e === 'object' && e !== null && NAMES.includes(String((e as { name?: unknown }).name));
export const isRequestError = (e: unknown): e is RequestError => hasName(e, 'RequestError');
export const isValidationError = (e: unknown): e is ValidationError => hasName(e, 'ValidationError');
export const isInternalError = (e: unknown): e is InternalError => hasName(e, 'InternalError');
export const isPermissionDeniedError = (e: unknown): e is PermissionDeniedError => hasName(e, 'PermissionDeniedError');
export const isInvalidTokenError = (e: unknown): e is InvalidTokenError => hasName(e, 'InvalidTokenError');
export const isForbiddenError = (e: unknown): e is ForbiddenError => hasName(e, 'ForbiddenError');
export const isNotFoundError = (e: unknown): e is NotFoundError => hasName(e, 'NotFoundError');
export const isSealedError = (e: unknown): e is SealedError => hasName(e, 'SealedError');
export const isUsageError = (e: unknown): e is UsageError => hasName(e, 'UsageError');
