import { isDomainError, isUniqueViolation, isValueTooLarge } from '../domain/errors.ts';
import { ScimError } from './errors.ts';

// DomainError → SCIM, decided once. Seat license exhaustion is a 403: it is a policy
// refusal, not a data conflict, and IdPs read a 409 on create as "already exists" and
// go looking for a match. The last-admin rule is a 409 naming the rule (no scimType:
// RFC 7644 gives 409 only "uniqueness", which this is not).
export function toScimError(err: unknown): ScimError | undefined {
  if (err instanceof ScimError) return err;
  if (isDomainError(err)) {
    switch (err.code) {
      case 'not_found':
        return new ScimError(404, null, err.message, {}, { cause: err });
      case 'uniqueness':
        return new ScimError(409, 'uniqueness', err.message, {}, { cause: err });
      case 'conflict':
        return new ScimError(409, null, err.message, {}, { cause: err });
      case 'last_admin':
        return new ScimError(409, null, err.message, {}, { cause: err });
      case 'seat_limit':
        return new ScimError(403, null, err.message, {}, { cause: err });
      case 'invalid':
        return new ScimError(400, 'invalidValue', err.message, {}, { cause: err });
      case 'forbidden':
        return new ScimError(403, null, err.message, {}, { cause: err });
      case 'expired':
        return new ScimError(400, 'invalidValue', err.message, {}, { cause: err });
    }
  }
  // A unique index the domain did not translate (e.g. two concurrent creates of the
  // same person, or a duplicate externalId): still a uniqueness conflict.
  if (isUniqueViolation(err)) return new ScimError(409, 'uniqueness', 'a resource with the same unique attribute already exists', {}, { cause: err });
  // A value longer than its index can hold (PostgreSQL names the index, not the attribute;
  // neither its message nor the value is echoed).
  if (isValueTooLarge(err)) return new ScimError(400, 'invalidValue', 'a value in the request is too long to be stored', {}, { cause: err });
  return undefined;
}
