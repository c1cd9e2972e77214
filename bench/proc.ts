/**
 * The bench's child processes: what it reads of them from /proc (CPU time, resident memory, the
 * broker's JVM among the machine's processes; Linux only, as the bench is), and how it stops them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** How long a bench child (a baseline, a simulator) may take to start. */
const READY_TIMEOUT_MS = 90_000;
/** USER_HZ: /proc counts CPU time in these ticks a second on Linux. */
const CLOCK_TICKS = 100;

/** User + system CPU of a process so far, in microseconds (/proc/<pid>/stat fields 14 and 15). */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ": field 3 onwards
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** A reading of `machineTicks`. */
export interface MachineTicks {
  readonly busy: number;
  readonly steal: number;
  readonly total: number;
}

/**
 * The machine's CPU time so far, all cores, in ticks (/proc/stat, its first line): busy (user,
 * system and interrupts), stolen (the hypervisor ran someone else on our virtual cores) and in all.
 */
export async function machineTicks(): Promise<MachineTicks> {
  const first = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = first.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal };
}

/** Resident memory of a process, in MiB (/proc/<pid>/status). */
export async function residentMb(pid: number): Promise<number> {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

/** The JVM whose command line holds every one of `parts`, if one does (not the shell that started it). */
export async function javaWith(parts: readonly string[]): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args[0]?.endsWith('java') && parts.every((p) => args.some((a) => a.includes(p)))) return Number(entry);
  }
  return undefined;
}

/**
 * `stop` for a child: SIGTERM, then its exit. The child is also sent SIGTERM if the bench itself
 * ends first (a crash), so no load generator, baseline or hub goes on skewing the next run.
 */
export function stopOf(child: ChildProcess): () => Promise<void> {
  const orphaned = () => child.kill('SIGTERM');
  process.once('exit', orphaned);
  // Not running: exited with a code or a signal, or never spawned (no pid).
  const ended = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
  return async () => {
    process.off('exit', orphaned);
    if (ended()) return;
    child.kill('SIGTERM');
    await new Promise((r) => (ended() ? r(undefined) : child.once('exit', r)));
  };
}

/** A process of the bench's own (a baseline, a simulator): its pid, what it printed once ready, and its `stop`. */
export interface BenchChild {
  readonly pid: number;
  /** Its first stdout line that matched the pattern it was started with (its port, its URL). */
  readonly printed: string;
  stop(): Promise<void>;
}

/**
 * Runs `await <name>(...args)` of `module` in a child Node process, which prints the result;
 * resolves once it printed a line matching `ready` (other lines, a library's logging, are passed
 * by). Rejects, the child stopped, when it exits or cannot be spawned first, or is not ready within
 * `READY_TIMEOUT_MS`.
 */
export async function startChild(module: string, name: string, args: readonly unknown[], ready: RegExp): Promise<BenchChild> {
  const script = `const m = await import(${JSON.stringify(module)}); console.log(await m[${JSON.stringify(name)}](...${JSON.stringify(args)}));`;
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = stopOf(child);
  let timer: NodeJS.Timeout | undefined;
  try {
    const printed = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (ready.test(line)) resolve(line);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new Error(`${name} (${module}) exited with ${signal ?? `code ${code}`}`)));
      timer = setTimeout(() => reject(new Error(`${name} (${module}) was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    });
    return { pid: child.pid!, printed, stop };
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
