// The git-metadata attacks of issue 25's table as shell lines, shared by the `command` agent's tests and the real
// claude's (whose Bash tool runs them): one text for what each row does.

/** Row 1: a `.git` file redirected to a repo of the agent's whose core.fsmonitor touches `pwned`. */
export const fsmonitorViaGitFile = (pwned: string): string[] => [
  'git init -q .evil',
  `git -C .evil config core.fsmonitor 'touch ${pwned}; false'`,
  'echo "gitdir: $PWD/.evil/.git" > .git',
  'echo work > work.txt',
];

/** Row 3: the worktree's HEAD pointed at the user's `main`, then some work. */
export const headOntoMain = (): string[] => [
  'echo "ref: refs/heads/main" > "$(git rev-parse --git-dir)/HEAD"',
  'echo work > work.txt',
];
