/**
 * Runs `lgsp` as a child process (`node src/cli/lgsp.ts`), as a user would, against
 * a hub in the test process. Asynchronous on purpose: a synchronous spawn would block the event
 * loop the in-process hub answers on.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_ADMIN_TOKEN } from '../helpers/hub.ts';

export interface LgspRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Ends a run that hangs; a CLI call against a live hub takes about a second. */
const TIMEOUT_MS = 30_000;

export interface LgspOptions {
  /** Added to a clean environment holding `LGSP_HUB_URL` and the test operator token; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Run the launcher `bin/lgsp` instead of `node src/cli/lgsp.ts`. */
  launcher?: boolean;
  cwd?: string;
}

export function lgsp(hubUrl: string, args: readonly string[], { env = {}, launcher = false, cwd }: LgspOptions = {}): Promise<LgspRun> {
  const { LGSP_CONNECTOR_TOKEN: _c, LGSP_ADMIN_TOKEN: _a, LGSP_HUB_URL: _h, ...inherited } = process.env;
  const merged: Record<string, string | undefined> = { ...inherited, LGSP_HUB_URL: hubUrl, LGSP_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env };
  const childEnv = Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
  const [file, argv] = launcher ? [resolve('bin/lgsp'), args] : [process.execPath, [resolve('src/cli/lgsp.ts'), ...args]];
  return new Promise((done, fail) => {
    const child = spawn(file, argv, { env: childEnv, cwd: cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
