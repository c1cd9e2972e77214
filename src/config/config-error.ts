import { LgspError } from '../contract/errors.ts';

/** Thrown by `loadConfig` with one line per bad variable; the process prints them and exits 78. */
export class ConfigError extends LgspError<'config-invalid'> {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config-invalid', `Invalid configuration:\n  ${problems.join('\n  ')}\nSee "Configuration" in README.md.`);
    this.problems = problems;
  }
}
