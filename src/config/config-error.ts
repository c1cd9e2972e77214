/** Thrown by `loadConfig` with one line per bad variable; the process prints them and exits 78. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}\nSee "Configuration" in README.md.`);
    this.name = 'ConfigError';
  }
}
