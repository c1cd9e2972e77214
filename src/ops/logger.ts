/** Structured JSON logs (pino); `LOG_FORMAT=pretty` for humans in development. */
import { pino, type Logger } from 'pino';
import type { HubConfig } from '../config/config.ts';

export type { Logger };

export function createLogger(config: Pick<HubConfig, 'logLevel' | 'logPretty'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'lgsp-hub' },
    // Credentials never reach a log line, whatever object a caller passes.
    redact: { paths: ['req.headers.authorization', '*.token', '*.secret', 'token', 'secret'], censor: '[redacted]' },
    ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
