/** Structured JSON logs (pino); `LOG_FORMAT=pretty` for humans in development. */
import { pino, type Logger } from 'pino';
import type { HubConfig } from '../config/config.ts';

export type { Logger };

/** To stdout (pretty when configured), or as JSON lines to `file` (the demo keeps stdout for its story). */
export function createLogger(config: Pick<HubConfig, 'logLevel' | 'logPretty'>, file?: string): Logger {
  const options = {
    level: config.logLevel,
    base: { service: 'lgsp-hub' },
    // Credentials never reach a log line, whatever object a caller passes.
    redact: { paths: ['req.headers.authorization', '*.token', '*.secret', 'token', 'secret'], censor: '[redacted]' },
  };
  if (file) return pino(options, pino.destination({ dest: file, sync: true, mkdir: true }));
  return pino({ ...options, ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } } : {}) });
}
