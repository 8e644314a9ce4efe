// Auth-broken backends: marked by a job's AuthFailed, no expiry; an operator or a successful probe clears them.
import type { CapacityState, LeaseRequest } from './state.js';

/** Keeps the first `since` (how long it has been broken) and the latest message (the freshest cause). */
export function noteAuthBroken(state: CapacityState, backend: string, message: string, at: number): void {
  state.authBroken ??= {};
  const since = state.authBroken[backend]?.since ?? at;
  state.authBroken[backend] = { since, message };
}

/** Clears both marks a backend may carry; true when there was one (a waiting job may be grantable now). */
export function clearBackend(state: CapacityState, backend: string): boolean {
  const had = state.authBroken?.[backend] !== undefined || state.limits?.[backend] !== undefined;
  if (state.authBroken) delete state.authBroken[backend];
  if (state.limits) delete state.limits[backend];
  return had;
}

export const authBrokenBackends = (state: CapacityState): string[] => Object.keys(state.authBroken ?? {}).sort();

/** Every backend the job may run on is auth-broken: granting it would only fail it. */
export function waitingForAuth(state: CapacityState, req: LeaseRequest): boolean {
  const broken = state.authBroken ?? {};
  return (req.backends?.length ?? 0) > 0 && (req.backends ?? []).every((b) => broken[b] !== undefined);
}
