import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { validationFailed } from './errors.ts';
import { sayIssue, type Labels } from './wording.ts';
import { INPUT, type Documented, type Part } from './openapi/doc.ts';

// validate(schema) checks one part of the request against the zod schema declared beside
// the route and keeps the parsed value in res.locals; handlers read it with `input(res)`.

export function validate<S extends z.ZodType>(schema: S, part: Part = 'body', labels: Labels = {}): RequestHandler {
  const h: Documented = (req, res, next) => {
    const raw: unknown = req[part] ?? {};
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      next(validationFailed(parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: sayIssue(i, raw, labels) }))));
      return;
    }
    (res.locals.input ??= {})[part] = parsed.data;
    next();
  };
  // The OpenAPI description reads the request's shape from here (openapi/document.ts).
  h[INPUT] = { part, schema };
  return h;
}

/** The validated part of the request; the schema's output type. */
export function input<S extends z.ZodType>(res: { locals: Record<string, unknown> }, _schema: S, part: Part = 'body'): z.output<S> {
  const bag = res.locals.input as Partial<Record<Part, unknown>> | undefined;
  return bag?.[part] as z.output<S>;
}
