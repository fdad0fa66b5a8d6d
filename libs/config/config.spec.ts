import { ConfigError, loadConfig } from './config-load';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://127.0.0.1:5432/workgate');
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(config.PORT).toBe(3000);
    expect(config.WORKGATE_PRINCIPALS).toBe('config/principals.local.yaml');
    expect(config.WORKGATE_WORKFLOWS_DIR).toBe('workflows');
    expect(config.WORKGATE_SIGNING_KEY).toBeUndefined();
    expect(config.WORKGATE_WEBHOOK_ALLOW_PRIVATE).toBe('0');
    expect(config.WORKGATE_WEBHOOK_BACKOFF_MS).toBeUndefined();
    expect(config.WORKGATE_WEBHOOK_TIMEOUT_MS).toBe(10_000);
    expect(config.WORKGATE_RATE_LIMIT_PER_MINUTE).toBe(6000);
    expect(config.WORKGATE_ANONYMOUS_BYTES_PER_MINUTE).toBe(10_485_760);
    expect(config.WORKGATE_OIDC_REFETCH_SECONDS).toBe(10);
    expect(config.WORKGATE_SESSION_IDLE_MINUTES).toBe(60);
    expect(config).toMatchObject({
      WORKGATE_HTTP_HEADERS_SECONDS: 10,
      WORKGATE_HTTP_REQUEST_SECONDS: 60,
      WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND: 4096,
      WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS: 256,
      WORKGATE_HTTP_LINGER_SECONDS: 5,
      WORKGATE_HTTP_LINGER_BYTES: 16_777_216,
    });
  });

  it('reads and converts values from the environment', () => {
    const config = loadConfig({ PORT: '8080', NATS_URL: 'nats://a:4222,nats://b:4222', WORKGATE_OIDC_REFETCH_SECONDS: '30' });
    expect(config.PORT).toBe(8080);
    expect(config.WORKGATE_OIDC_REFETCH_SECONDS).toBe(30);
    expect(config.NATS_URL).toBe('nats://a:4222,nats://b:4222');
    expect(loadConfig({ WORKGATE_WEBHOOK_BACKOFF_MS: '100,200' }).WORKGATE_WEBHOOK_BACKOFF_MS).toBe('100,200');
  });

  it.each([
    ['PORT', 'eighty', /PORT must be an integer/],
    ['PORT', '70000', /PORT must be between/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must be a postgres/],
    ['NATS_URL', 'http://x', /NATS_URL must be/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['WORKGATE_DB_ROLE', 'x; drop table', /WORKGATE_DB_ROLE/],
    ['WORKGATE_LOCAL_ROUTES', 'maybe', /WORKGATE_LOCAL_ROUTES must be on or off/],
    ['WORKGATE_DRIFT_WINDOW', 'a week', /WORKGATE_DRIFT_WINDOW/],
    ['WORKGATE_RATE_LIMIT_PER_MINUTE', '0', /WORKGATE_RATE_LIMIT_PER_MINUTE/],
    ['WORKGATE_RATE_LIMIT_PER_MINUTE', '1.5', /WORKGATE_RATE_LIMIT_PER_MINUTE must be an integer/],
    ['WORKGATE_ANONYMOUS_BYTES_PER_MINUTE', '1MB', /WORKGATE_ANONYMOUS_BYTES_PER_MINUTE must be an integer/],
    ['WORKGATE_ANONYMOUS_BYTES_PER_MINUTE', '0', /WORKGATE_ANONYMOUS_BYTES_PER_MINUTE must be at least 1/],
    ['WORKGATE_HTTP_HEADERS_SECONDS', '0', /WORKGATE_HTTP_HEADERS_SECONDS must be at least 1/],
    ['WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS', 'many', /WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS must be an integer/],
    ['WORKGATE_HTTP_LINGER_BYTES', '-1', /WORKGATE_HTTP_LINGER_BYTES must be at least 0/],
    ['WORKGATE_WEBHOOK_ALLOW_PRIVATE', 'yes', /WORKGATE_WEBHOOK_ALLOW_PRIVATE must be 0 or 1/],
    ['WORKGATE_WEBHOOK_BACKOFF_MS', '5s,30s', /WORKGATE_WEBHOOK_BACKOFF_MS/],
    ['WORKGATE_WEBHOOK_TIMEOUT_MS', '10', /WORKGATE_WEBHOOK_TIMEOUT_MS/],
    ['WORKGATE_OIDC_REFETCH_SECONDS', '0', /WORKGATE_OIDC_REFETCH_SECONDS must be at least 1/],
    ['WORKGATE_OIDC_REFETCH_SECONDS', '2.5', /WORKGATE_OIDC_REFETCH_SECONDS must be an integer/],
    ['WORKGATE_OIDC_REFETCH_SECONDS', '86400', /WORKGATE_OIDC_REFETCH_SECONDS must be at most 3600/],
    ['WORKGATE_SESSION_IDLE_MINUTES', '0', /WORKGATE_SESSION_IDLE_MINUTES must be at least 1/],
    ['WORKGATE_SESSION_IDLE_MINUTES', '721', /WORKGATE_SESSION_IDLE_MINUTES must be at most 720/],
    ['WORKGATE_OIDC_NAME', 'x'.repeat(61), /WORKGATE_OIDC_NAME must be 1 to 60 printable characters/],
    ['WORKGATE_OIDC_NAME', 'Acme\nID', /WORKGATE_OIDC_NAME must be 1 to 60 printable characters/],
  ])('refuses a bad %s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('takes OpenID Connect settings only together, each a URL it can trust', () => {
    const oidc = { WORKGATE_OIDC_ISSUER: 'https://id.example.com/realms/work', WORKGATE_OIDC_CLIENT_ID: 'workgate' };
    expect(loadConfig(oidc).WORKGATE_OIDC_AUDIENCE).toBeUndefined();
    expect(loadConfig({ ...oidc, WORKGATE_OIDC_ISSUER: 'http://127.0.0.1:9000' }).WORKGATE_OIDC_ISSUER).toBe(
      'http://127.0.0.1:9000',
    );
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ WORKGATE_OIDC_ISSUER: 'https://id.example.com' })).toEqual([
      'WORKGATE_OIDC_CLIENT_ID must be set when WORKGATE_OIDC_ISSUER is',
    ]);
    expect(problems({ WORKGATE_OIDC_CLIENT_ID: 'workgate', WORKGATE_OIDC_AUDIENCE: 'api' })).toEqual([
      'WORKGATE_OIDC_CLIENT_ID is set but WORKGATE_OIDC_ISSUER is not',
      'WORKGATE_OIDC_AUDIENCE is set but WORKGATE_OIDC_ISSUER is not',
    ]);
    expect(problems({ ...oidc, WORKGATE_OIDC_ISSUER: 'http://id.example.com' })).toEqual([
      'WORKGATE_OIDC_ISSUER must be an https:// URL (http:// only on a loopback address)',
    ]);
    expect(problems({ WORKGATE_PUBLIC_URL: 'https://work.example.com/?x=1' })).toEqual([
      'WORKGATE_PUBLIC_URL must be an https:// URL (http:// only on a loopback address)',
    ]);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'x', NATS_URL: 'y' });
      fail('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/PORT[\s\S]*NATS_URL|NATS_URL[\s\S]*PORT/);
    }
  });
});
