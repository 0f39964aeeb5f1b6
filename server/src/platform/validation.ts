import type { FastifySchemaCompiler } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Bodies are checked strictly: no type coercion, unknown fields refused (schemas say
 * `additionalProperties: false`, and we never silently strip). Query strings, params and
 * headers arrive as text, so those are coerced.
 */
function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, removeAdditional: false, strict: false, ...options });
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
