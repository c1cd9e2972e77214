/**
 * Where the local broker's jars come from: an unpacked Apache Kafka distribution (`KAFKA_HOME`),
 * or Maven Central through Maven into a cache directory reused across runs.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalBrokerError } from './local-broker-error.ts';

const run = promisify(execFile);

/** Pinned broker version (see README "Why Kafka 4.4"). Kafka 4.x still logs through SLF4J 1.7. */
export const KAFKA_VERSION = '4.4.0';
const LOG4J_VERSION = '2.25.5';

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.lgsp-hub</groupId><artifactId>local-kafka</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;

export interface JarSource {
  kafkaHome?: string | undefined;
  cacheDir: string;
  say: (line: string) => void;
}

/** Returns the JVM classpath of the broker, downloading the jars once if needed. */
export async function brokerClasspath({ kafkaHome, cacheDir, say }: JarSource): Promise<string> {
  await requireCommand('java', ['-version']);
  if (kafkaHome) {
    const libs = join(kafkaHome, 'libs');
    if (!existsSync(libs)) throw new LocalBrokerError(`KAFKA_HOME=${kafkaHome} has no libs/ folder: point it at an unpacked Apache Kafka distribution.`);
    return join(libs, '*');
  }
  const home = join(cacheDir, `kafka-${KAFKA_VERSION}`);
  const libs = join(home, 'libs');
  if (existsSync(join(libs, '.complete'))) return join(libs, '*');

  await requireCommand('mvn', ['--version']);
  say(`Resolving Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs} (first run only, about 45 MB)...`);
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'pom.xml'), POM);
  // Resolve into a private folder, then rename: two processes resolving at once cannot see half a folder.
  const staging = `${libs}.${process.pid}.tmp`;
  try {
    await run('mvn', ['-q', '-B', '-f', join(home, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    const out = (err as { stdout?: string }).stdout ?? '';
    throw new LocalBrokerError(
      `Maven could not resolve the Kafka jars: ${out.split('\n').slice(-15).join('\n')}\nCheck that Maven Central is reachable, or set KAFKA_HOME or KAFKA_BROKERS.`,
      { cause: err },
    );
  }
  const jars = (await readdir(staging)).filter((f) => f.endsWith('.jar'));
  await writeFile(join(staging, '.complete'), `${jars.length} jars\n`);
  await rename(staging, libs).catch(async () => rm(staging, { recursive: true, force: true }));
  say(`Resolved ${jars.length} jars.`);
  return join(libs, '*');
}

async function requireCommand(command: string, args: string[]): Promise<void> {
  try {
    await run(command, args);
  } catch {
    throw new LocalBrokerError(
      `"${command}" was not found. The local Kafka broker needs Java 17+ and Maven ` +
        '(Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless maven), ' +
        'or set KAFKA_HOME to an unpacked Apache Kafka, or KAFKA_BROKERS to a running cluster.',
    );
  }
}
