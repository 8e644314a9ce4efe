// Failure classes: the ApplicationFailure `type` names that retry policies match.
export const FailureClass = {
  RateLimited: 'RateLimited',
  QuotaExhausted: 'QuotaExhausted',
  AuthFailed: 'AuthFailed',
  BadRequest: 'BadRequest',
  AgentCrashed: 'AgentCrashed',
  AgentTimedOut: 'AgentTimedOut',
  NoResult: 'NoResult',
  WorkspaceFailed: 'WorkspaceFailed',
  WorkerShutdown: 'WorkerShutdown',
  /** The agent session to resume does not exist (expired, deleted, another machine). */
  SessionNotFound: 'SessionNotFound',
} as const;
export type FailureClass = (typeof FailureClass)[keyof typeof FailureClass];

/** One attempt and a clean error: retrying cannot help. */
export const NON_RETRYABLE: string[] = [
  FailureClass.AuthFailed,
  FailureClass.BadRequest,
  FailureClass.QuotaExhausted,
  FailureClass.WorkspaceFailed,
  FailureClass.SessionNotFound,
];

/** Details carried by a RateLimited failure. */
export interface RateLimitDetails {
  resetAt: number;
  source: string;
}
