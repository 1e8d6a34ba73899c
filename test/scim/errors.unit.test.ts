import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { toScimError } from '../../src/scim/error-map.ts';
import { renderError, ScimError } from '../../src/scim/errors.ts';

describe('ScimError', () => {
  it('accepts the RFC 7644 status/scimType pairs', () => {
    for (const [status, type] of [[400, 'invalidFilter'], [400, 'tooMany'], [409, 'uniqueness'], [400, 'mutability'], [400, 'invalidSyntax'], [400, 'invalidPath'], [400, 'noTarget'], [400, 'invalidValue'], [400, 'invalidVers'], [403, 'sensitive']] as const) {
      expect(new ScimError(status, type, 'x').scimType).toBe(type);
    }
    expect(new ScimError(404, null, 'x').status).toBe(404);
  });

  it('refuses pairs the RFC does not define, and non-error statuses', () => {
    expect(() => new ScimError(409, 'invalidValue', 'x')).toThrow(TypeError);
    expect(() => new ScimError(400, 'uniqueness', 'x')).toThrow(TypeError);
    expect(() => new ScimError(200, null, 'x')).toThrow(TypeError);
  });

  it('renders schemas, status as a string, scimType when set, detail', () => {
    expect(renderError(new ScimError(409, 'uniqueness', 'taken')).body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness', detail: 'taken' });
    expect(renderError(new ScimError(404, null, 'gone')).body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'gone' });
  });

  it('maps DomainError codes once', () => {
    const map = (code: DomainError['code']) => {
      const e = toScimError(new DomainError(code, 'm'))!;
      return [e.status, e.scimType];
    };
    expect(map('not_found')).toEqual([404, null]);
    expect(map('uniqueness')).toEqual([409, 'uniqueness']);
    expect(map('last_admin')).toEqual([409, null]);
    expect(map('seat_limit')).toEqual([403, null]);
    expect(map('invalid')).toEqual([400, 'invalidValue']);
    expect(map('forbidden')).toEqual([403, null]);
    expect(toScimError(Object.assign(new Error('dup'), { code: '23505' }))).toMatchObject({ status: 409, scimType: 'uniqueness' });
    expect(toScimError(new Error('boom'))).toBeUndefined();
  });
});
