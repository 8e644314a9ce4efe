// Every error an API caller sees is JSON naming what to fix: 400 with the field and value, 404 for an unknown id,
// 409 for a state that forbids the request, 503 when the engine is not reachable; never a stack trace.
import { isGrpcServiceError } from '@temporalio/client';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { EngineUnreachableError } from '../client/connect.js';
import { isNotFound } from '../client/not-found.js';
import { SubmitRefused } from '../client/submit-policy.js';
import { logger } from '../support/logger.js';
import { UsageError } from '../support/usage-error.js';

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
    readonly value?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string): HttpError =>
  new HttpError(404, `${what}: no ${what} "${id}"`, 'id', id);

/** The first zod issue as a 400: its path is the field, the input there is the value. */
export function badInput(error: z.ZodError, input: unknown, where = ''): HttpError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  let value: unknown = input;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as never)[key] : undefined;
  const field = where + path.join('.') || '(body)';
  const keys = issue.code === 'unrecognized_keys' ? ` ${issue.keys.join(', ')}` : '';
  return new HttpError(400, `${field}: ${issue.message}${keys}`, field, value);
}

/** A UsageError names its field first ("kind: unknown kind …"); "no job" means an unknown id. */
function fromUsage(err: UsageError): HttpError {
  const field = /^([\w.-]+|--[\w-]+|job id): /.exec(err.message)?.[1]?.replace(/^--/, '');
  if (/it is running/.test(err.message)) return new HttpError(409, err.message, field);
  if (/: no (job|chain|compare|session) "|has no commit|has no result/.test(err.message))
    return new HttpError(404, err.message, field);
  if (/already finished|already exists/.test(err.message)) return new HttpError(409, err.message, field);
  return new HttpError(400, err.message, field);
}

const GRPC_UNAVAILABLE = 14;

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let e: HttpError;
  if (err instanceof HttpError) e = err;
  else if (err instanceof SubmitRefused)
    e = new HttpError(err.forbidden ? 403 : 400, err.message, err.field, err.value);
  else if (err instanceof UsageError) e = fromUsage(err);
  else if (isNotFound(err)) e = new HttpError(404, `id: not found (${req.url})`, 'id');
  else if ('validation' in err && err.validation) e = new HttpError(400, err.message);
  else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode < 500)
    e = new HttpError(err.statusCode, err.message); // Fastify's own: a body that is not JSON, too large…
  else if (err instanceof EngineUnreachableError || (isGrpcServiceError(err) && err.code === GRPC_UNAVAILABLE))
    e = new HttpError(503, 'the Temporal server is not reachable');
  else {
    logger('http').error({ url: req.url, method: req.method, error: err.message }, 'request failed');
    e = new HttpError(500, 'internal error (see the server log)');
  }
  void reply.code(e.statusCode).send({
    error: e.message,
    ...(e.field ? { field: e.field } : {}),
    ...(e.value !== undefined ? { value: e.value } : {}),
  });
}
