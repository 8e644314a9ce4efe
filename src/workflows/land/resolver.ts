// A landing's conflict, handed to an agent: a follow-up job on a worktree of the target's tip with the job's
// work merged in and stopped at the conflicts; its committed resolution lands in the job's place.
import type { JobSpec } from '../../protocol/job.js';
import type { LandRequest } from '../../protocol/land.js';

export function resolverJob(req: LandRequest, target: string, tip: string, files: string[], now: number): JobSpec {
  const template = req.resolver;
  if (!template) throw new Error('no resolver'); // the caller checks
  const jobId = `${req.jobId}-resolve-${(now % 1_000_000).toString(36)}`;
  const prompt = [
    `Landing branch ${req.branch} on ${target} conflicts in: ${files.join(', ')}.`,
    `That branch's task was: "${req.task}".`,
    `This worktree is ${target}'s tip with that branch merged in, stopped at the conflicts.`,
    'Edit each conflicted file so it keeps the intent of both sides and has no conflict markers',
    '(<<<<<<<, =======, >>>>>>>) left. Do not run git commit or git merge; nightshift commits your resolution.',
  ].join('\n');
  const { land: _none, resumeSessionId: _fresh, workspacePath: _own, branch: _b, ...rest } = template;
  const spec: JobSpec = { ...rest, jobId, prompt, workspaceMode: 'worktree', startFrom: tip, mergeRef: req.sha };
  if (req.check) spec.check = req.check;
  if (req.host) spec.host = req.host;
  return spec;
}
