// Domain errors carry a transport-agnostic kind and a stable code; each HTTP surface renders its own envelope.

export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'unauthenticated' | 'unavailable';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(kind: DomainErrorKind, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = code;
    this.details = details;
  }
}

export const isDomainError = (err: unknown): err is DomainError => err instanceof DomainError;
