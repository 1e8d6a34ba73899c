import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { validationFailed } from './errors.ts';
import { sayIssue, type Labels } from './wording.ts';

// validate(schema) checks one part of the request against the zod schema declared beside
// the route and keeps the parsed value in res.locals; handlers read it with `input(res)`.

type Part = 'body' | 'query' | 'params';

export function validate<S extends z.ZodType>(schema: S, part: Part = 'body', labels: Labels = {}): RequestHandler {
  return (req, res, next) => {
    const raw: unknown = req[part] ?? {};
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      next(validationFailed(parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: sayIssue(i, raw, labels) }))));
      return;
    }
    (res.locals.input ??= {})[part] = parsed.data;
    next();
  };
}

/** The validated part of the request; the schema's output type. */
export function input<S extends z.ZodType>(res: { locals: Record<string, unknown> }, _schema: S, part: Part = 'body'): z.output<S> {
  const bag = res.locals.input as Partial<Record<Part, unknown>> | undefined;
  return bag?.[part] as z.output<S>;
}
