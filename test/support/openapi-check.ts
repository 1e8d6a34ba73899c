import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ResponseCheck } from '../../src/api/openapi/check.ts';

// Holds every admin API answer against the served OpenAPI description with an independent
// JSON Schema validator (Ajv, draft 2020-12): the description is what clients read, so it is
// the description, not the zod schemas behind it, that answers must match. Problems are
// collected; the harness fails the test that caused them (test/api/harness.ts).

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document under test

export interface ResponseChecker {
  check: ResponseCheck;
  /** One line per answer that its description does not allow (taken and cleared). */
  take(): string[];
  /** "METHOD /path status" of every answer checked. */
  seen: Set<string>;
}

export function responseChecker(): ResponseChecker {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  const compiled = new WeakMap<object, ValidateFunction>();
  const problems: string[] = [];
  const seen = new Set<string>();
  const deref = (document: Json, r: Json | undefined): Json | undefined => {
    if (!r?.$ref) return r;
    const path = String(r.$ref).replace(/^#\//, '').split('/');
    return path.reduce<Json | undefined>((at, k) => at?.[k], document);
  };
  const check: ResponseCheck = ({ operation, document, status, headers, json, body }) => {
    if (!operation.doc) return; // undescribed routes are test/api/openapi.test.ts's to report
    const name = `${operation.method.toUpperCase()} ${operation.path}`;
    seen.add(`${name} ${status}`);
    const responses = (document as Json).paths?.[operation.path]?.[operation.method]?.responses as Json | undefined;
    const described = deref(document as Json, responses?.[String(status)] ?? responses?.[`${String(status)[0]}XX`]);
    if (!described) {
      problems.push(`${name} answered ${status}, which its description does not list`);
      return;
    }
    for (const h of Object.keys((described.headers ?? {}) as Json)) {
      if (!headers.includes(h.toLowerCase())) problems.push(`${name} answered ${status} without the ${h} header its description promises`);
    }
    const schema = described.content?.['application/json']?.schema as Json | undefined;
    if (!json) {
      if (schema) problems.push(`${name} answered ${status} without the JSON body its description promises`);
      return;
    }
    if (!schema) {
      problems.push(`${name} answered ${status} with a JSON body its description does not have`);
      return;
    }
    let validate = compiled.get(schema);
    // Named shapes are $refs into the document's components: compile against the document.
    if (!validate) compiled.set(schema, (validate = ajv.compile({ ...schema, components: (document as Json).components })));
    if (!validate(body)) {
      problems.push(`${name} ${status}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })} — body ${JSON.stringify(body).slice(0, 400)}`);
    }
  };
  return { check, take: () => problems.splice(0), seen };
}
