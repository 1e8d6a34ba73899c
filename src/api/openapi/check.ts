import type { RequestHandler } from 'express';
import type { Description, Operation } from './document.ts';

/**
 * Told every answer of a described route: its status and, for JSON, its body. Tests pass
 * one that validates the body against the served description (test/support/openapi-check.ts);
 * production passes none and pays nothing.
 */
export type ResponseCheck = (answer: {
  operation: Operation;
  document: Record<string, unknown>;
  status: number;
  /** Header names sent, lower-case. */
  headers: string[];
  json: boolean;
  body: unknown;
}) => void;

export function checkResponses(check: ResponseCheck, description: () => Description): RequestHandler {
  return (req, res, next) => {
    let json = false;
    const send = res.json.bind(res);
    const operation = () => (req.route ? description().byRoute.get(req.route as object) : undefined);
    res.json = (body: unknown) => {
      json = true;
      const op = operation();
      if (op) check({ operation: op, document: description().document, status: res.statusCode, headers: res.getHeaderNames(), json: true, body });
      return send(body);
    };
    res.on('finish', () => {
      const op = json ? undefined : operation();
      if (op) check({ operation: op, document: description().document, status: res.statusCode, headers: res.getHeaderNames(), json: false, body: undefined });
    });
    next();
  };
}
