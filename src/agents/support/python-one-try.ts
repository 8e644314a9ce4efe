// Shared by the Python CLIs that talk to OpenAI-compatible APIs (llm, aider): one-try patches, error statuses.
import { delimiter, join } from 'node:path';
import { writeFileOnce } from './files.js';

// Neither CLI has a retry setting: the OpenAI client retries 429/5xx/connection errors twice (honouring
// retry-after up to 120 s each) and aider adds its own loop of up to ~60 s. A sitecustomize on PYTHONPATH
// patches both when their modules load; it is a no-op for anything else (and if the names ever move).
const SITECUSTOMIZE = `# Written by nightshift (src/agents/support/python-one-try.ts): the engine owns retries,
# so the CLI makes one try per model request. Patches apply when the named modules load.
import importlib.abc
import os
import sys


def _patch(name, module):
    if name == "openai._models":
        module.FinalRequestOptions.get_max_retries = lambda self, max_retries: 0
    elif name in ("aider.models", "aider.coders.base_coder"):
        module.RETRY_TIMEOUT = 0
    elif name == "aider.repomap" and os.environ.get("NIGHTSHIFT_AIDER_TAGS_CACHE"):
        module.RepoMap.TAGS_CACHE_DIR = os.environ["NIGHTSHIFT_AIDER_TAGS_CACHE"]


_TARGETS = {"openai._models", "aider.models", "aider.coders.base_coder", "aider.repomap"}


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in _TARGETS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                break
        else:
            return None
        exec_module = spec.loader.exec_module

        def patched(module):
            exec_module(module)
            try:
                _patch(name, module)
            except Exception:
                pass

        spec.loader.exec_module = patched
        return spec


sys.meta_path.insert(0, _PatchAfterImport())
`;

/** PYTHONPATH that makes the CLI's model requests one-try (ours first, then whatever config.env had). */
export async function oneTryPythonPath(stateDir: string, env: Record<string, string>): Promise<string> {
  const dir = join(stateDir, 'python');
  await writeFileOnce(join(dir, 'sitecustomize.py'), SITECUSTOMIZE);
  return [dir, env['PYTHONPATH']].filter(Boolean).join(delimiter);
}

// litellm exception names (aider) → the HTTP status they stand for.
const LITELLM_STATUS: Record<string, number> = {
  AuthenticationError: 401,
  PermissionDeniedError: 403,
  NotFoundError: 404,
  BadRequestError: 400,
  ContextWindowExceededError: 400,
  UnprocessableEntityError: 422,
  RateLimitError: 429,
  InternalServerError: 500,
  ServiceUnavailableError: 503,
};

/** The HTTP status an OpenAI-client or litellm error line names, if any. */
export function statusFromError(text: string): number | undefined {
  const code = /Error code: (\d{3})\b/.exec(text); // openai-python: "Error code: 429 - …"
  if (code?.[1]) return Number(code[1]);
  const name = /litellm\.(\w+):/.exec(text)?.[1];
  return name ? LITELLM_STATUS[name] : undefined;
}

/** Whether an API key is available to the CLI (config.env first, then the worker's environment). */
export const hasEnv = (env: Record<string, string>, name: string): boolean => Boolean(env[name] ?? process.env[name]);
