/**
 * The demo's hub logs to a file, not to the terminal: stdout belongs to the story. A fresh file
 * each run, with the hub's own logger settings.
 */
import { rm } from 'node:fs/promises';
import type { HubConfig } from '../src/config/config.ts';
import { createLogger, type Logger } from '../src/ops/logger.ts';

export async function hubLogFile(config: Pick<HubConfig, 'logLevel' | 'logPretty'>, file: string): Promise<{ logger: Logger; file: string }> {
  await rm(file, { force: true });
  return { logger: createLogger(config, file), file };
}
