import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../lib/logger.ts';
import { toScimError } from '../error-map.ts';
import { invalidSyntax, payloadTooLarge, renderError, ScimError } from '../errors.ts';
import { send } from './respond.ts';

// The one place SCIM errors become HTTP responses. Unknown failures are logged with
// their cause and answered 500 without detail.

function fromBodyParser(err: unknown): ScimError | undefined {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return payloadTooLarge(`request body is larger than ${(err as { limit?: number }).limit} bytes`);
  if (type === 'entity.parse.failed') return invalidSyntax('request body is not valid JSON');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new ScimError(415, null, (err as Error).message);
  if (type === 'request.aborted') return invalidSyntax('request aborted');
  return undefined;
}

export function scimErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let e = fromBodyParser(err) ?? toScimError(err);
    if (!e) {
      (req.log ?? logger).error({ err, cause: (err as { cause?: unknown }).cause }, 'SCIM request failed');
      e = new ScimError(500, null, 'internal error');
    }
    if (res.headersSent) return;
    // A body the client is still sending is not read: close the connection after answering.
    if (e.status === 413) res.setHeader('Connection', 'close');
    send(res, renderError(e));
  };
}
