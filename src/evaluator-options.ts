// Front-matter options of an evaluator: one zod schema per evaluator holds the types, the defaults and the checks.
import { z } from 'zod';

/** An evaluator option in a style's front matter is unknown or has a bad value. */
export class EvaluatorOptionsError extends Error {
  constructor(
    readonly evaluator: string,
    /** Dotted path of the offending option, e.g. `maxTopNgramCharFraction.2`; empty for the options as a whole. */
    readonly option: string,
    detail: string,
  ) {
    super(option === '' ? `evaluator "${evaluator}": ${detail}` : `evaluator "${evaluator}", option "${option}": ${detail}`);
    this.name = 'EvaluatorOptionsError';
  }
}

export interface EvaluatorOptions<Schema extends z.ZodType> {
  readonly schema: Schema;
  /** Validates and fills defaults; throws EvaluatorOptionsError. The same input object always yields the same result. */
  parse(options: Record<string, unknown>): z.output<Schema>;
}

/**
 * Binds an options schema to its evaluator so errors name both. Results are cached per options object because
 * evaluators are called once per candidate with the same front-matter object, and zod parsing is not free.
 */
export function defineEvaluatorOptions<Schema extends z.ZodType>(evaluator: string, schema: Schema): EvaluatorOptions<Schema> {
  const parsed = new WeakMap<object, z.output<Schema>>();
  return {
    schema,
    parse(options) {
      const cached = parsed.get(options);
      if (cached !== undefined) return cached;
      const result = schema.safeParse(options);
      if (!result.success) throw toOptionsError(evaluator, schema, result.error);
      parsed.set(options, result.data);
      return result.data;
    },
  };
}

function toOptionsError(evaluator: string, schema: z.ZodType, error: z.ZodError): EvaluatorOptionsError {
  const issue = error.issues[0];
  if (issue === undefined) return new EvaluatorOptionsError(evaluator, '', 'invalid options');
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const option = [path, issue.keys[0]].filter((part) => part !== '' && part !== undefined).join('.');
    const known = path === '' && schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
    const hint = known === undefined ? '' : known.length === 0 ? '; this evaluator takes no options' : `; known options: ${known.join(', ')}`;
    return new EvaluatorOptionsError(evaluator, option, `unknown option${hint}`);
  }
  return new EvaluatorOptionsError(evaluator, path, issue.message);
}

/** A fraction in [0, 1]; most thresholds are one. */
export const fraction = () => z.number().min(0).max(1);
