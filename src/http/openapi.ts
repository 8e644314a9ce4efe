// GET /api/openapi.json: the API described for clients and generators; the submit body is the same zod schema
// the server validates with, so the document cannot drift from it.
import { z } from 'zod';
import { JobInputSchema } from '../client/job-input.js';
import { version } from '../support/version.js';

const json = (description: string, schema: object = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const ERR = { $ref: '#/components/schemas/Error' };
const errors = {
  '400': json('bad input: names the field and the value', ERR),
  '401': json('no or a wrong token (Authorization: Bearer, or the dashboard cookie from POST /login)', ERR),
  '403': json('the token’s scope does not allow it, or a cross-origin write', ERR),
  '404': json('unknown id', ERR),
};
const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const q = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  description,
  schema: { type },
});

function get(summary: string, extra: object = {}) {
  return { get: { summary, responses: { '200': json('OK'), ...errors }, ...extra } };
}

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'nightshift', version: version(), description: 'Durable agent jobs on Temporal: the HTTP API' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        JobInput: z.toJSONSchema(JobInputSchema, { io: 'input' }),
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' }, field: { type: 'string' }, value: {} },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/jobs': {
        post: {
          summary: 'Submit a job (the spec of `nightshift submit`; lane "operator" is the ask)',
          requestBody: { required: true, ...json('the job', { $ref: '#/components/schemas/JobInput' }) },
          responses: { '201': json('started: { jobId }'), '409': json('the job id is taken', ERR), ...errors },
        },
        ...get('Recent jobs, newest first; `next` is the `before` of the next page', {
          parameters: [
            q('status', 'queued, running, succeeded, failed, no_op, cancelled'),
            q('backend', 'a backend name'),
            q('kind', 'a job kind'),
            q('lane', 'operator, interactive, background'),
            q('since', 'a duration (7d, 24h) or an ISO time'),
            q('before', 'an ISO time: jobs started before it'),
            q('limit', '1–500 (50)', 'integer'),
          ],
        }),
      },
      '/api/jobs/{id}': get('A job: progress, live agent counts, prompt, result', { parameters: id }),
      '/api/jobs/{id}/history': get('The job as a timeline (`nightshift history`)', { parameters: id }),
      '/api/jobs/{id}/diff': get('The job’s committed work as a patch (`nightshift diff`)', { parameters: id }),
      '/api/jobs/{id}/cancel': {
        post: {
          summary: 'Cancel a running job (kills its agent’s process group, releases its lease)',
          parameters: id,
          responses: { '202': json('cancel requested'), '409': json('already finished', ERR), ...errors },
        },
      },
      '/api/capacity': get('Slots per lane, queues, tokens (with the last 5 minutes), backpressure, backends'),
      '/api/stats': get('Per-group figures from the ledger (`nightshift stats`)', {
        parameters: [q('by', 'backend, kind, lane, host'), q('since', 'a duration: 30m, 24h, 7d')],
      }),
      '/api/sessions': get('Open warm sessions'),
      '/api/chains/{id}': get('A chain’s steps', { parameters: id }),
      '/api/compares/{id}': get('A compare’s backends', { parameters: id }),
      '/api/events': get('Server-Sent Events: hello, capacity, job.queued/started/progress/ended, backend.*'),
      '/metrics': get('Prometheus metrics'),
      '/login': {
        post: {
          summary: 'The dashboard’s login: `{token}` → an HttpOnly SameSite=Strict cookie the API accepts',
          security: [],
          responses: { '200': json('logged in: `{scope}`'), '401': errors['401'] },
        },
      },
    },
  };
}
