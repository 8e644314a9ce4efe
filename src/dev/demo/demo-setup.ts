// What the demo stands on: free loopback ports for its own dev server, and a throwaway git repo.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { execa } from 'execa';

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function demoRepo(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.email=demo@nightshift', '-c', 'user.name=demo', ...args], { cwd: dir });
  await git('init', '-q', '-b', 'main');
  await execa('sh', ['-c', 'echo "# demo repo" > README.md'], { cwd: dir });
  await git('add', '.');
  await git('commit', '-q', '-m', 'init');
  return dir;
}
