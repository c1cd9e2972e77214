/**
 * `npm run bench:startup`: how long the hub's and the CLI's processes take to start, without a
 * broker, run by Node's own type stripping, and (when tsx is installed: `npm install --no-save tsx`)
 * by tsx as the project ran them before (docs/performance.md, "Start-up: tsx or Node's type
 * stripping"). Runs are interleaved, after warm-up ones. BENCH_RUNS (default 20) per command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARM_UP = 3;
const TSX_BIN = 'node_modules/.bin/tsx';

interface Scenario {
  readonly name: string;
  /** A TypeScript entry point and its arguments. */
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The exit code that shows the scenario ran to its end. */
  readonly exitCode: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'hub module graph (src/hub.ts)', argv: ['src/hub.ts'], exitCode: 0 },
  // The whole of `npm start` before Kafka: every module loaded, the configuration read and refused.
  { name: 'hub to its config check', argv: ['src/main.ts'], env: { PORT: 'not-a-port' }, exitCode: 78 },
  { name: 'lgsp --help', argv: ['src/cli/lgsp.ts', '--help'], exitCode: 0 },
  // A command against a port where no hub listens: the CLI's modules, axios and one refused connection.
  {
    name: 'lgsp agencies list (no hub)',
    argv: ['src/cli/lgsp.ts', 'agencies', 'list', '--hub', 'http://127.0.0.1:9'],
    env: { LGSP_ADMIN_TOKEN: 'bench-operator-token-0123456789' },
    exitCode: 3,
  },
];

/** How a `.ts` entry point is started: `node file.ts` (type stripping) and, if installed, tsx both ways. */
const RUNNERS: readonly { readonly name: string; readonly command: (argv: readonly string[]) => string[] }[] = [
  { name: 'node (type stripping)', command: (argv) => [process.execPath, ...argv] },
  ...(existsSync(TSX_BIN)
    ? [
        { name: 'tsx (CLI)', command: (argv: readonly string[]) => [TSX_BIN, ...argv] },
        { name: 'node --import tsx', command: (argv: readonly string[]) => [process.execPath, '--import', 'tsx', ...argv] },
      ]
    : []),
];

function runOnce(scenario: Scenario, command: string[]): number {
  const started = performance.now();
  const result = spawnSync(command[0]!, command.slice(1), { env: { ...process.env, LOG_LEVEL: 'silent', ...scenario.env }, stdio: 'ignore' });
  const ms = performance.now() - started;
  if (result.status !== scenario.exitCode) throw new Error(`${command.join(' ')} exited with ${result.status}, expected ${scenario.exitCode}`);
  return ms;
}

function summary(samples: number[]): { mean: number; sd: number; min: number; max: number } {
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1));
  return { mean, sd, min: Math.min(...samples), max: Math.max(...samples) };
}

if (RUNNERS.length === 1) process.stderr.write('tsx is not installed: measuring Node alone (npm install --no-save tsx to compare)\n');
console.log(`lgsp-hub start-up: Node ${process.version}, ${cpus().length} cores, ${RUNS} runs each after ${WARM_UP} warm-up runs; ms`);
console.log(`${'scenario'.padEnd(32)} ${'runner'.padEnd(22)} ${'mean ± sd'.padStart(14)} ${'min'.padStart(6)} ${'max'.padStart(6)} ${'vs node'.padStart(8)}`);
const rows: ({ scenario: string; runner: string } & ReturnType<typeof summary>)[] = [];
for (const scenario of SCENARIOS) {
  const samples = RUNNERS.map(() => [] as number[]);
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    RUNNERS.forEach((runner, r) => {
      const ms = runOnce(scenario, runner.command(scenario.argv));
      if (i >= WARM_UP) samples[r]!.push(ms);
    });
  }
  const stats = samples.map(summary);
  RUNNERS.forEach((runner, r) => {
    const s = stats[r]!;
    rows.push({ scenario: scenario.name, runner: runner.name, ...s });
    const meanSd = `${s.mean.toFixed(0)} ± ${s.sd.toFixed(0)}`;
    console.log(
      `${scenario.name.padEnd(32)} ${runner.name.padEnd(22)} ${meanSd.padStart(14)} ${s.min.toFixed(0).padStart(6)} ${s.max.toFixed(0).padStart(6)} ${(s.mean / stats[0]!.mean).toFixed(2).padStart(8)}`,
    );
  });
}
console.log(JSON.stringify({ bench: 'lgsp-hub-startup', at: new Date().toISOString(), node: process.version, cores: cpus().length, runs: RUNS, rows }));
