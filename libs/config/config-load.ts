import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { WorkgateConfig } from './config';

/** The variables of OpenID Connect that need one another: each problem named. */
function oidcProblems(config: WorkgateConfig): string[] {
  const problems: string[] = [];
  if (config.WORKGATE_OIDC_ISSUER && !config.WORKGATE_OIDC_CLIENT_ID)
    problems.push('WORKGATE_OIDC_CLIENT_ID must be set when WORKGATE_OIDC_ISSUER is');
  if (!config.WORKGATE_OIDC_ISSUER) {
    for (const name of ['WORKGATE_OIDC_CLIENT_ID', 'WORKGATE_OIDC_CLIENT_SECRET', 'WORKGATE_OIDC_AUDIENCE'] as const)
      if (config[name]) problems.push(`${name} is set but WORKGATE_OIDC_ISSUER is not`);
  }
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN = Object.keys(new WorkgateConfig());

/** Reads the variables workgate knows from `env`, applies defaults and validates them. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkgateConfig {
  const raw: Record<string, string> = {};
  for (const key of KNOWN) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(WorkgateConfig, raw);
  const errors = validateSync(config, { forbidUnknownValues: true });
  const problems = [
    ...errors.flatMap((e) => Object.values(e.constraints ?? { invalid: `${e.property} is invalid` })),
    ...oidcProblems(config),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Boot helper: load the configuration or stop the process with the problems named. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): WorkgateConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`workgate: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

