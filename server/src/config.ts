import path from 'node:path';
import { Ajv } from 'ajv';
import Type, { type Static } from 'typebox';

/**
 * The operator's contract (API.md, "Running it"): everything comes from the environment,
 * and the defaults need nothing installed. An invalid value stops the server with a
 * sentence naming the variable.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATA_DIR: Type.String({ minLength: 1, default: './.examhall' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  WORKERS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  DEMO: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  CORS_ORIGINS: Type.String({ default: '' }),
  ROLES: Type.String({ pattern: '^(api|writer)(,(api|writer))*$', default: 'api,writer' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86400, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 300, maximum: 2592000, default: 604800 }),
  STAFF_BCRYPT_COST: Type.Integer({ minimum: 4, maximum: 15, default: 11 }),
  STUDENT_BCRYPT_COST: Type.Integer({ minimum: 4, maximum: 15, default: 8 }),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 10 }),
  LOGIN_MAX_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 500 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1048576 }),
  UPLOAD_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 5242880 }),
  SAVE_GRACE_SECONDS: Type.Integer({ minimum: 0, maximum: 60, default: 3 }),
  SHUTDOWN_TIMEOUT_SECONDS: Type.Integer({ minimum: 1, default: 25 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  jwtSecret: string | undefined;
  admin: { email: string; password: string } | undefined;
  workers: number;
  demo: boolean;
  logLevel: string;
  corsOrigins: string[];
  roles: { api: boolean; writer: boolean };
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  bcryptCost: { staff: number; student: number };
  loginLimits: { perAccount: number; perIp: number };
  bodyLimitBytes: number;
  uploadLimitBytes: number;
  saveGraceMs: number;
  shutdownTimeoutMs: number;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {}

const ajv = new Ajv({ useDefaults: true, coerceTypes: true, allErrors: true });
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
const validateEnv = ajv.compile<Env>(EnvSchema);

/** Reads and checks the environment; throws a ConfigError whose message names the variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.keys(EnvSchema.properties);
  const env: Record<string, unknown> = {};
  for (const key of known) {
    const value = source[key];
    if (value !== undefined && value !== '') env[key] = value;
  }
  if (!validateEnv(env)) {
    const problems = (validateEnv.errors ?? []).map((e) => {
      const variable =
        e.instancePath.replace(/^\//, '') || String(e.params['missingProperty'] ?? '');
      return `${variable} ${e.message ?? 'is invalid'} (got ${JSON.stringify(env[variable])})`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = env as Env;
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    );
  }
  if (e.WORKERS > 1 && !e.REDIS_URL) {
    throw new ConfigError(
      'Invalid configuration: WORKERS > 1 needs REDIS_URL (the memory hot store lives in one process)',
    );
  }
  const roles = new Set(e.ROLES.split(','));
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    jwtSecret: e.JWT_SECRET,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL.toLowerCase(), password: e.ADMIN_PASSWORD }
        : undefined,
    workers: e.WORKERS,
    demo: e.DEMO === undefined ? !e.DATABASE_URL : e.DEMO === '1',
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    roles: { api: roles.has('api'), writer: roles.has('writer') },
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    bcryptCost: { staff: e.STAFF_BCRYPT_COST, student: e.STUDENT_BCRYPT_COST },
    loginLimits: {
      perAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perIp: e.LOGIN_MAX_FAILURES_PER_IP,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    uploadLimitBytes: e.UPLOAD_LIMIT_BYTES,
    saveGraceMs: e.SAVE_GRACE_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    metricsToken: e.METRICS_TOKEN,
  };
}
