/**
 * A single-node Apache Kafka (KRaft, combined broker + controller) for development and tests.
 *
 * The JVM runs under a tiny shell guard that reads our stdin pipe: when this Node process
 * ends in any way (exit, crash, SIGKILL) the pipe closes and the guard stops the JVM, so no
 * broker is ever orphaned. The broker runs in its own process group so that Ctrl-C reaches
 * only Node, which then stops the hub first and the broker last.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brokerClasspath, KAFKA_VERSION } from './broker-jars.ts';
import { PLAINTEXT, type KafkaCluster } from './kafka-security.ts';
import { LocalBrokerError } from './local-broker-error.ts';
import { probeCluster } from './probe.ts';
import { grantHubAcls, prepareSecurity, scramFormatArgs, secureProperties, type LocalBrokerSecurity, type SecureBrokerOptions } from './secure-broker.ts';

const run = promisify(execFile);
export const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

export interface LocalBrokerOptions {
  /** Storage folder; formatted on first use and kept, so a restart keeps the data. */
  dataDir: string;
  cacheDir: string;
  kafkaHome?: string | undefined;
  /** Listen on these ports (a restart at the same address); default: free ports. */
  ports?: { readonly port: number; readonly controllerPort: number };
  /** Extra server.properties lines (tests lower timeouts). */
  overrides?: Readonly<Record<string, string | number>>;
  /**
   * A SASL_SSL listener with SCRAM users `broker`, `hub` and `intruder`, an authorizer, and ACLs
   * that let only `hub` use the topic prefix (see `secure-broker.ts`). Decided when the storage is
   * first formatted: restart a secured broker secured.
   */
  secure?: boolean | SecureBrokerOptions;
  say?: (line: string) => void;
}

export interface LocalBroker {
  readonly brokers: string[];
  readonly ports: { readonly port: number; readonly controllerPort: number };
  readonly logFile: string;
  /** Present on a secured broker: its CA, users and passwords (a hub speaks `{ brokers, security: security.as('hub') }`). */
  readonly security?: LocalBrokerSecurity;
  /** Stops the JVM and waits for it to exit (SIGKILL after 20 s). Safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalBroker(options: LocalBrokerOptions): Promise<LocalBroker> {
  const say = options.say ?? ((line: string) => process.stderr.write(`[kafka] ${line}\n`));
  const classpath = await brokerClasspath({ kafkaHome: options.kafkaHome, cacheDir: options.cacheDir, say });
  const dir = resolve(options.dataDir);
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const { port, controllerPort } = options.ports ?? { port: await freePort(), controllerPort: await freePort() };
  const propsFile = join(dir, 'server.properties');
  const logFile = join(logDir, 'broker.log');
  const security = options.secure ? await prepareSecurity(dir, options.secure === true ? {} : options.secure) : undefined;
  const secured = security ? await secureProperties(dir, security, port, controllerPort) : {};
  await writeFile(propsFile, serverProperties(dir, port, controllerPort, { ...secured, ...options.overrides }));
  await writeFile(join(dir, 'log4j2.properties'), log4jProperties(logFile));

  const java = kafkaJava(dir, classpath, SINGLE_NODE_JVM);
  if (!formatted(dir)) {
    say(`Formatting storage in ${join(dir, 'data')}...`);
    const scram = security ? scramFormatArgs(security) : [];
    if (security) say(`Creating SCRAM-SHA-512 users ${Object.keys(security.passwords).join(', ')} (passwords in ${join(dir, 'security')})...`);
    await formatStorage(java, propsFile, await randomClusterId(java), scram);
  }

  const listener = security ? 'SASL_SSL (SCRAM-SHA-512, ACLs) ' : '';
  say(`Starting Apache Kafka ${KAFKA_VERSION} on ${listener}127.0.0.1:${port} (log: ${logFile})...`);
  const { child, exited } = spawnGuarded(java, propsFile, logDir);
  const brokers = [`127.0.0.1:${port}`];
  const broker: LocalBroker = {
    brokers,
    ports: { port, controllerPort },
    logFile,
    ...(security ? { security } : {}),
    stop: once(() => stopGuard(child, exited)),
  };

  const as = security ? ` as the SASL user "broker" over TLS` : '';
  say(`Waiting for the broker to answer a metadata request${as} (up to ${READY_TIMEOUT_MS / 1000} s)...`);
  const started = Date.now();
  try {
    await Promise.race([
      (async () => {
        await waitForMetadata({ brokers, security: security ? security.as('broker') : PLAINTEXT }, started + READY_TIMEOUT_MS);
        if (!security) return;
        say(`Granting User:hub its ACLs on the prefix "${security.topicPrefix}" (topics, groups, transactional ids)...`);
        await grantHubAcls(brokers, security);
      })(),
      exited.then((code) => Promise.reject(new Error(`the broker process exited with code ${code}`))),
    ]);
  } catch (err) {
    await broker.stop();
    throw new LocalBrokerError(`Kafka did not start: ${(err as Error).message}.\nLast lines of ${logFile}:\n${await logTail(logFile)}`, { cause: err });
  }
  say(`Kafka is ready at ${brokers[0]} after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return broker;
}

/**
 * The single broker's JVM as Kafka's own start scripts set it (`KAFKA_HEAP_OPTS` and
 * `KAFKA_JVM_PERFORMANCE_OPTS` in `bin/kafka-run-class.sh`). With the JVM's defaults instead (200 ms
 * pause goal, a 256 MB heap to start) a broker collected twice as often, with pauses of 15–27 ms
 * that hold up every acknowledgement (measured at 500 data-sharing calls a second). A cluster's
 * nodes take less each (`local-cluster.ts`).
 */
const SINGLE_NODE_JVM = [
  '-Xms1g',
  '-Xmx1g',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
];

/** The `java` command line of a broker whose files live in `dir` (main class and arguments follow). */
export function kafkaJava(dir: string, classpath: string, jvmOptions: readonly string[]): string[] {
  return ['java', ...jvmOptions, '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, '-cp', classpath];
}

/** Whether the node's storage in `dir` has been formatted already (a restart keeps its data). */
export function formatted(dir: string): boolean {
  return existsSync(join(dir, 'data', 'meta.properties'));
}

export async function randomClusterId(java: readonly string[]): Promise<string> {
  return (await run(java[0]!, [...java.slice(1), 'kafka.tools.StorageTool', 'random-uuid'])).stdout.trim();
}

export async function formatStorage(java: readonly string[], propsFile: string, clusterId: string, extraArgs: readonly string[] = []): Promise<void> {
  await run(java[0]!, [...java.slice(1), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile, ...extraArgs]);
}

/** Starts `kafka.Kafka` under the guard described at the top of this file. */
export function spawnGuarded(java: readonly string[], propsFile: string, logDir: string): { child: ChildProcess; exited: Promise<number | null> } {
  const guard =
    `${java.map(shellQuote).join(' ')} kafka.Kafka ${shellQuote(propsFile)} >>${shellQuote(join(logDir, 'stdout.log'))} 2>&1 & j=$!; ` +
    'trap "kill $j 2>/dev/null" TERM; cat >/dev/null; kill $j 2>/dev/null; wait $j';
  const child = spawn('sh', ['-c', guard], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, exited };
}

export async function logTail(logFile: string): Promise<string> {
  return readFile(logFile, 'utf8').then(
    (t) => t.split('\n').slice(-25).join('\n'),
    () => '(no log)',
  );
}

export function serverProperties(dir: string, port: number, controllerPort: number, overrides: Readonly<Record<string, string | number>>): string {
  const props: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'num.partitions': 1,
    // The hub creates its topics explicitly; auto-creation would hide a missing one.
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 5,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    ...overrides,
  };
  return (
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n'
  );
}

/** The broker's log4j2 settings: warnings of Kafka's own code, and info of those of `infoLoggers` (logger names). */
export function log4jProperties(logFile: string, infoLoggers: readonly string[] = []): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = FILE',
    'logger.kafka.name = org.apache.kafka',
    'logger.kafka.level = warn',
    ...infoLoggers.flatMap((name, i) => [`logger.info${i}.name = ${name}`, `logger.info${i}.level = info`]),
    '',
  ].join('\n');
}

/** Polls until the cluster answers a metadata request listing at least `brokerCount` brokers. */
export async function waitForMetadata(cluster: KafkaCluster, deadline: number, brokerCount = 1): Promise<void> {
  for (;;) {
    try {
      const answer = await probeCluster(cluster);
      if (answer.brokerCount >= brokerCount) return;
      throw new Error(`${answer.brokerCount} of ${brokerCount} brokers joined`);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`no metadata answer within ${READY_TIMEOUT_MS / 1000} s (${(err as Error).message})`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export async function stopGuard(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A port free on 127.0.0.1 right now (the broker's listeners; tests and the benchmark use it too). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
