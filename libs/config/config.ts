import 'reflect-metadata';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsDatabaseUrl } from './postgres-url';

/** A numeric variable as a number, for the validators to check; an unset one stays unset (its default). */
function asNumber({ value }: TransformFnParams): unknown {
  const raw: unknown = value;
  return raw === undefined ? raw : Number(raw);
}

/**
 * Every setting workgate reads from the environment (README.md, Configuration), validated once at boot.
 * A bad value stops the process with a message naming the variable.
 */
/** An https:// URL, or http:// on a loopback address (a provider or a console on this machine), without query or fragment. */
const HTTP_URL = /^(https:\/\/[^\s/?#]+|http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?)(\/[^\s?#]*)?$/;

/** Requests per minute per principal (or per client IP without a valid key) when WORKGATE_RATE_LIMIT_PER_MINUTE is unset. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

/** Body bytes per minute per client IP without a valid key when WORKGATE_ANONYMOUS_BYTES_PER_MINUTE is unset: ten bodies of the largest size. */
export const DEFAULT_ANONYMOUS_BYTES_PER_MINUTE = 10 * 1024 * 1024;

export class WorkgateConfig {
  @IsDatabaseUrl() DATABASE_URL = 'postgres://127.0.0.1:5432/workgate';

  @Matches(/^nats:\/\/[^,\s]+(,nats:\/\/[^,\s]+)*$/, {
    message: 'NATS_URL must be one or more comma-separated nats:// URLs',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  @Transform(asNumber)
  @IsInt({ message: 'PORT must be an integer' })
  @Min(0, { message: 'PORT must be between 0 and 65535' })
  @Max(65535, { message: 'PORT must be between 0 and 65535' })
  PORT = 3000;

  /** Interface the gateway listens on (0.0.0.0 inside a container). */
  @Matches(/^[0-9a-fA-F.:]+$|^localhost$/, { message: 'HOST must be an IP address or localhost' })
  HOST = '127.0.0.1';

  @IsString()
  WORKGATE_PRINCIPALS = 'config/principals.local.yaml';

  @IsString()
  WORKGATE_WORKFLOWS_DIR = 'workflows';

  /** Pattern definitions loaded at start, before the workflows that extend them (docs/patterns.md). */
  @IsString()
  WORKGATE_PATTERNS_DIR = 'patterns';

  /** The seed exception-code catalog. */
  @IsString()
  WORKGATE_EXCEPTION_CODES = 'config/exception-codes.yaml';

  /** Ed25519 private key (PEM or base64 PKCS#8) for ledger checkpoints; generated into .data/ when unset. */
  @IsOptional()
  @IsString()
  WORKGATE_SIGNING_KEY?: string;

  /** How often the ledger signs a checkpoint when its tree has grown (ISO 8601 duration). */
  @Matches(/^PT(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?$/, {
    message: 'WORKGATE_CHECKPOINT_EVERY must be an ISO 8601 duration like PT10S',
  })
  WORKGATE_CHECKPOINT_EVERY = 'PT10S';

  /** The log's origin: the first line of every checkpoint and the name of its signing key (default from the key). */
  @IsOptional()
  @Matches(/^[\x21-\x2a\x2c-\x7e]{1,200}$/, {
    message: 'WORKGATE_LEDGER_ORIGIN must be printable ASCII without spaces or +',
  })
  WORKGATE_LEDGER_ORIGIN?: string;

  /** The services' login role in Postgres: reads the ledger, writes only what is not evidence (idempotency answers, dead
   * letters). Empty: every connection logs in as the URL's user (the ledger and views roles below are then not used either). */
  @Matches(/^([a-z_][a-z0-9_]*)?$/, { message: 'WORKGATE_DB_ROLE must be a plain Postgres role name' })
  WORKGATE_DB_ROLE = 'workgate_app';

  /** The login role of the ledger writer: the only one that may INSERT into the ledger, its tree and its checkpoints. */
  @Matches(/^[a-z_][a-z0-9_]*$/, { message: 'WORKGATE_DB_LEDGER_ROLE must be a plain Postgres role name' })
  WORKGATE_DB_LEDGER_ROLE = 'workgate_ledger';

  /** The login role of the projections: the only one that writes the views. */
  @Matches(/^[a-z_][a-z0-9_]*$/, { message: 'WORKGATE_DB_VIEWS_ROLE must be a plain Postgres role name' })
  WORKGATE_DB_VIEWS_ROLE = 'workgate_views';

  /** The password of the three roles, where Postgres asks for one (set on them by the migrations). */
  @IsOptional()
  @IsString()
  WORKGATE_DB_PASSWORD?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  /** HTTP requests per minute per principal (per gateway process); over it: 429. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1, { message: 'WORKGATE_RATE_LIMIT_PER_MINUTE must be at least 1' })
  WORKGATE_RATE_LIMIT_PER_MINUTE = DEFAULT_RATE_LIMIT_PER_MINUTE;

  /** Body bytes per minute (declared by Content-Length) per client IP without a valid API key (per gateway process); over it: 429. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_ANONYMOUS_BYTES_PER_MINUTE must be an integer' })
  @Min(1, { message: 'WORKGATE_ANONYMOUS_BYTES_PER_MINUTE must be at least 1' })
  WORKGATE_ANONYMOUS_BYTES_PER_MINUTE = DEFAULT_ANONYMOUS_BYTES_PER_MINUTE;

  /** Slow and many clients at the HTTP edge (docs/operations.md, Hostile traffic): a request's headers must arrive within this many seconds. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_HTTP_HEADERS_SECONDS must be an integer' })
  @Min(1, { message: 'WORKGATE_HTTP_HEADERS_SECONDS must be at least 1' })
  WORKGATE_HTTP_HEADERS_SECONDS = 10;

  /** A whole request, headers and body, must arrive within this many seconds. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_HTTP_REQUEST_SECONDS must be an integer' })
  @Min(1, { message: 'WORKGATE_HTTP_REQUEST_SECONDS must be at least 1' })
  WORKGATE_HTTP_REQUEST_SECONDS = 60;

  /** A body must arrive at no less than this many bytes a second on average (after its first 5 s). */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND must be an integer' })
  @Min(1, { message: 'WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND must be at least 1' })
  WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND = 4096;

  /** Open connections per remote address (loopback included); one more is closed at once. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS must be an integer' })
  @Min(1, { message: 'WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS must be at least 1' })
  WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS = 256;

  /** After a refusal answered before its body was read, the body is read and discarded for at most this many seconds… */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_HTTP_LINGER_SECONDS must be an integer' })
  @Min(0, { message: 'WORKGATE_HTTP_LINGER_SECONDS must be at least 0' })
  WORKGATE_HTTP_LINGER_SECONDS = 5;

  /** …and at most this many bytes, then the connection is closed. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_HTTP_LINGER_BYTES must be an integer' })
  @Min(0, { message: 'WORKGATE_HTTP_LINGER_BYTES must be at least 0' })
  WORKGATE_HTTP_LINGER_BYTES = 16 * 1024 * 1024;

  /** A code raised this many times within WORKGATE_DRIFT_WINDOW is a drift signal (a remediation task for its owner). */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_DRIFT_THRESHOLD must be an integer' })
  @Min(2, { message: 'WORKGATE_DRIFT_THRESHOLD must be at least 2' })
  WORKGATE_DRIFT_THRESHOLD = 3;

  @Matches(/^P(?!$)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, {
    message: 'WORKGATE_DRIFT_WINDOW must be an ISO 8601 duration like P7D',
  })
  WORKGATE_DRIFT_WINDOW = 'P7D';

  /** `off`: requests to a service of this process go over NATS too (see docs/messaging.md). */
  @IsIn(['on', 'off'], { message: 'WORKGATE_LOCAL_ROUTES must be on or off' })
  WORKGATE_LOCAL_ROUTES = 'on';

  /** `off`: `npm start` keeps the ledger on the main thread. */
  @IsIn(['on', 'off'], { message: 'WORKGATE_LEDGER_THREAD must be on or off' })
  WORKGATE_LEDGER_THREAD = 'on';

  /** `off`: `npm start` keeps intake on the main thread; `on` runs it on the ledger's thread, so the main thread serves HTTP and leaves decisions and commits to it. */
  @IsIn(['on', 'off'], { message: 'WORKGATE_INTAKE_THREAD must be on or off' })
  WORKGATE_INTAKE_THREAD = 'on';

  /** Request/reply time-out between services, in milliseconds. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_RPC_TIMEOUT_MS must be an integer' })
  @Min(1, { message: 'WORKGATE_RPC_TIMEOUT_MS must be at least 1' })
  WORKGATE_RPC_TIMEOUT_MS = 5000;

  /** Replicas of the JetStream streams: 1 on one nats-server, 3 on a cluster. */
  @Transform(asNumber)
  @IsIn([1, 3, 5], { message: 'WORKGATE_STREAM_REPLICAS must be 1, 3 or 5' })
  WORKGATE_STREAM_REPLICAS = 1;

  /** `1`: webhooks may go to loopback, private, link-local and other non-public addresses (refused otherwise). */
  @IsIn(['0', '1'], { message: 'WORKGATE_WEBHOOK_ALLOW_PRIVATE must be 0 or 1' })
  WORKGATE_WEBHOOK_ALLOW_PRIVATE = '0';

  /** The delays before each retry of a failed webhook delivery, in milliseconds; after the last, a dead letter. Empty: 5 s, 30 s, 2 min, 10 min, 1 h, 2 h, 4 h, then 8 h three times. */
  @IsOptional()
  @Matches(/^\d{1,10}(,\d{1,10}){0,49}$/, {
    message: 'WORKGATE_WEBHOOK_BACKOFF_MS must be comma-separated milliseconds, e.g. 5000,30000,120000',
  })
  WORKGATE_WEBHOOK_BACKOFF_MS?: string;

  /** How long one webhook attempt may take before it counts as failed, in milliseconds. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_WEBHOOK_TIMEOUT_MS must be an integer' })
  @Min(100, { message: 'WORKGATE_WEBHOOK_TIMEOUT_MS must be at least 100' })
  @Max(300_000, { message: 'WORKGATE_WEBHOOK_TIMEOUT_MS must be at most 300000 (5 minutes)' })
  WORKGATE_WEBHOOK_TIMEOUT_MS = 10_000;

  /** Where private NATS/Postgres instances, the signing key and other local state live. */
  @IsString()
  WORKGATE_DATA_DIR = '.data';

  /** The OpenID Connect issuer people sign in with (docs/sign-in.md, In workgate); unset: API keys only. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'WORKGATE_OIDC_ISSUER must be an https:// URL (http:// only on a loopback address)' })
  WORKGATE_OIDC_ISSUER?: string;

  /** What the console's sign-in button names the provider ("Sign in with <name>"); default: the issuer's host. */
  @IsOptional()
  @Matches(/^\P{Cc}{1,60}$/u, { message: 'WORKGATE_OIDC_NAME must be 1 to 60 printable characters' })
  WORKGATE_OIDC_NAME?: string;

  /** The console's client id at the issuer (and the default audience of API tokens). */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'WORKGATE_OIDC_CLIENT_ID must be printable ASCII without spaces' })
  WORKGATE_OIDC_CLIENT_ID?: string;

  /** The console's client secret; unset: a public client (PKCE alone). */
  @IsOptional()
  @IsString()
  WORKGATE_OIDC_CLIENT_SECRET?: string;

  /** Least seconds between two fetches of the issuer's discovery document or keys, failed or not: a flood of tokens costs one per period. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_OIDC_REFETCH_SECONDS must be an integer' })
  @Min(1, { message: 'WORKGATE_OIDC_REFETCH_SECONDS must be at least 1' })
  @Max(3600, { message: 'WORKGATE_OIDC_REFETCH_SECONDS must be at most 3600 (an hour)' })
  WORKGATE_OIDC_REFETCH_SECONDS = 10;

  /** Minutes a console session may go unused before it ends (docs/sign-in.md, Sessions); at most 720, its longest life. */
  @Transform(asNumber)
  @IsInt({ message: 'WORKGATE_SESSION_IDLE_MINUTES must be an integer' })
  @Min(1, { message: 'WORKGATE_SESSION_IDLE_MINUTES must be at least 1' })
  @Max(720, { message: 'WORKGATE_SESSION_IDLE_MINUTES must be at most 720 (12 h, the longest a session lasts)' })
  WORKGATE_SESSION_IDLE_MINUTES = 60;

  /** What API bearer tokens must carry in `aud` (default WORKGATE_OIDC_CLIENT_ID). */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,500}$/, { message: 'WORKGATE_OIDC_AUDIENCE must be printable ASCII without spaces' })
  WORKGATE_OIDC_AUDIENCE?: string;

  /** Where people reach workgate (the console's redirect URI is <this>/console/callback); default http://127.0.0.1:<PORT>. */
  @IsOptional()
  @Matches(HTTP_URL, { message: 'WORKGATE_PUBLIC_URL must be an https:// URL (http:// only on a loopback address)' })
  WORKGATE_PUBLIC_URL?: string;
}

/** The login roles each kind of connection uses (undefined: the URL's user). */
export function dbRoles(
  config: Pick<WorkgateConfig, 'WORKGATE_DB_ROLE' | 'WORKGATE_DB_LEDGER_ROLE' | 'WORKGATE_DB_VIEWS_ROLE'>,
): { app?: string; ledger?: string; views?: string } {
  if (!config.WORKGATE_DB_ROLE) return {};
  return { app: config.WORKGATE_DB_ROLE, ledger: config.WORKGATE_DB_LEDGER_ROLE, views: config.WORKGATE_DB_VIEWS_ROLE };
}
