import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { invalid } from './errors.js';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Bodies are checked strictly: no type coercion, unknown fields refused (schemas say
 * `additionalProperties: false`, and we never silently strip). Query strings, params and
 * headers arrive as text, so those are coerced.
 */
function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    ...options,
  });
  (addFormats as unknown as (a: Ajv) => Ajv)(ajv);
  return ajv;
}

const bodyAjv = makeAjv({ coerceTypes: false });
const textAjv = makeAjv({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};

/** The same strict body rules, for WebSocket messages. */
export function compileMessageValidator<T>(schema: object) {
  return bodyAjv.compile<T>(schema);
}

// PostgreSQL's text and jsonb cannot hold U+0000, and a lone UTF-16 surrogate is no
// character at all: such a string would be acknowledged and then refused by every commit.
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A string PostgreSQL could never store. */
export function isUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}

/**
 * The path (`body.answers.0.answer`) of the first string, value or key, in a parsed JSON
 * value that PostgreSQL could never store; null when there is none. Iterative, so a body
 * nested as deep as its size allows cannot overflow the stack. Every save passes here, so
 * the common case (nothing wrong) builds no path strings: they are made only once a bad
 * string is known to be there.
 */
export function findUnstorableText(value: unknown, root: string): string | null {
  return holdsUnstorableText(value) ? pathToUnstorableText(value, root) : null;
}

function holdsUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (isUnstorableText(v)) return true;
    } else if (Array.isArray(v)) {
      for (const child of v) stack.push(child);
    } else if (v !== null && typeof v === 'object') {
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (isUnstorableText(k)) return true;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return false;
}

function pathToUnstorableText(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (isUnstorableText(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i -= 1) stack.push([v[i], `${path}.${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (isUnstorableText(k)) return `${path} (a field name)`;
        stack.push([child, `${path}.${k}`]);
      }
    }
  }
  return null;
}

export const UNSTORABLE_MESSAGE =
  'contains a NUL character or an unpaired surrogate, which cannot be stored';

/**
 * Refuses, before any schema runs, a body, query string or path parameter holding a string
 * PostgreSQL could never store (400, naming the field). Headers need no check: Node's HTTP
 * parser refuses NUL in them, and they are Latin-1, so they cannot hold a surrogate.
 */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const at =
      findUnstorableText(request.body, 'body') ??
      findUnstorableText(request.query, 'querystring') ??
      findUnstorableText(request.params, 'params');
    if (at) throw invalid(`${at} ${UNSTORABLE_MESSAGE}`);
  });
}
