// Styles: loading prompts/<id>.md files (YAML front matter + template), checking them,
// and rendering a chunk into chat messages. See the README section "Styles".
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { packageRoot } from './package-root.js';
import type { ChatMessage, Evaluator, EvaluatorRef, Style } from './types.js';

const SOURCE_PLACEHOLDER = '{{source}}';
const USER_SEPARATOR = /^=== user ===[ \t]*$/m;
const DOCUMENT_BLOCK = `<document>\n${SOURCE_PLACEHOLDER}\n</document>`;
const DOCUMENT_BLOCK_HINT = `the three lines "<document>", "${SOURCE_PLACEHOLDER}", "</document>"`;
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

// Checked by hand rather than with z.union so each malformed entry gets a message that says what is wrong with it.
const evaluatorEntrySchema = z.unknown().transform((entry, ctx): EvaluatorRef => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (typeof entry === 'string') {
    return KEBAB_CASE.test(entry) ? { id: entry, options: {} } : fail(`evaluator id "${entry}" is not kebab-case`);
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    return fail('expected an evaluator id or a single-key map {id: {option: value}}');
  }
  const keys = Object.keys(entry);
  if (keys.length !== 1) return fail(`a map entry needs exactly one key, the evaluator id (found ${keys.length})`);
  const id = keys[0]!;
  const options: unknown = (entry as Record<string, unknown>)[id];
  if (!KEBAB_CASE.test(id)) return fail(`evaluator id "${id}" is not kebab-case`);
  if (options === null) return { id, options: {} };
  if (typeof options !== 'object' || Array.isArray(options)) {
    return fail(`the options of "${id}" must be a map {option: value}`);
  }
  return { id, options: options as Record<string, unknown> };
});

/** Front matter of a style file. Parses the snake_case YAML and yields the camelCase Style fields. */
export const styleFrontMatterSchema = z
  .strictObject({
    id: z.string().regex(KEBAB_CASE, 'must be kebab-case (lowercase letters, digits, single hyphens)'),
    description: z.string().trim().min(1, 'must not be empty'),
    kind: z.enum(['faithful', 'augmenting']),
    max_output_tokens: z.number().int().positive(),
    length_ratio: z
      .strictObject({ min: z.number().positive(), max: z.number().positive() })
      .refine((ratio) => ratio.min <= ratio.max, { message: 'min must not exceed max', path: ['max'] }),
    answer_prefix: z.string().min(1, 'must not be empty (leave the field out instead)').optional(),
    temperature: z.number().min(0).max(2).default(0.7),
    evaluators: z.array(evaluatorEntrySchema).superRefine((refs, ctx) => {
      const seen = new Set<string>();
      refs.forEach((ref, index) => {
        if (seen.has(ref.id)) ctx.addIssue({ code: 'custom', path: [index], message: `evaluator "${ref.id}" is listed twice` });
        seen.add(ref.id);
      });
    }),
  })
  .transform((fm): Omit<Style, 'template' | 'sha256' | 'path'> => ({
    id: fm.id,
    description: fm.description,
    kind: fm.kind,
    maxOutputTokens: fm.max_output_tokens,
    lengthRatio: fm.length_ratio,
    ...(fm.answer_prefix === undefined ? {} : { answerPrefix: fm.answer_prefix }),
    temperature: fm.temperature,
    evaluators: fm.evaluators,
  }));

/** How to fix each front matter field; appended to validation errors. */
const FIELD_HINTS: Record<string, string> = {
  id: 'set it to the file name without .md, in kebab-case (my-style.md → id: my-style)',
  description: 'give a one-line description, shown by `reword prompts list`',
  kind: 'use "faithful" (all information must come from the document) or "augmenting"',
  max_output_tokens: 'give a positive integer, sent as max_tokens with every request',
  length_ratio: 'give {min: <number>, max: <number>}, output chars / source chars, with 0 < min <= max',
  answer_prefix: 'give the text the answer must begin with, or leave the field out',
  temperature: 'give a number from 0 to 2, or leave the field out for 0.7',
  evaluators: 'give a list whose items are ids (- repetition) or single-key maps (- verbatim-copy: {max: 0.5})',
};

/** A style file that cannot be used, with every problem found in it. */
export class StyleFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(problems.length === 1 ? `${path}: ${problems[0]}` : `${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StyleFileError';
  }
}

/** The package's own prompts/ directory (found from src/ in tests and from dist/src/ when built). */
export function builtinPromptsDir(): string {
  return join(packageRoot(), 'prompts');
}

/** The style files of a directory, sorted by name. README.md is documentation, not a style. */
export function listStyleFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new StyleFileError(dir, ['is not a directory; give a directory holding <id>.md style files']);
  }
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name.toLowerCase() !== 'readme.md')
    .sort()
    .map((name) => join(dir, name));
}

export interface LoadedStyles {
  styles: Map<string, Style>;
  /** Files that could not be loaded; their ids are missing from `styles`. */
  errors: StyleFileError[];
}

/** Loads every style it can and collects the failures, so one bad file does not hide the others. */
export function loadStylesCollectingErrors(opts: { extraDir?: string } = {}): LoadedStyles {
  const styles = new Map<string, Style>();
  const errors: StyleFileError[] = [];
  const dirs = [builtinPromptsDir(), ...(opts.extraDir === undefined ? [] : [resolve(opts.extraDir)])];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = listStyleFiles(dir);
    } catch (error) {
      if (error instanceof StyleFileError) {
        errors.push(error);
        continue;
      }
      throw error;
    }
    for (const file of files) {
      try {
        const style = loadStyleFile(file);
        styles.set(style.id, style);
      } catch (error) {
        if (!(error instanceof StyleFileError)) throw error;
        errors.push(error);
      }
    }
  }
  return { styles, errors };
}

/** Built-in styles, then the styles of `extraDir`, which replace built-ins of the same id. Throws the first bad file. */
export function loadStyles(opts: { extraDir?: string } = {}): Map<string, Style> {
  const { styles, errors } = loadStylesCollectingErrors(opts);
  if (errors[0]) throw errors[0];
  return styles;
}

export function loadStyleFile(path: string): Style {
  const bytes = readFileSync(path);
  const content = bytes.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const { frontMatter, frontMatterLine, body } = splitFrontMatter(path, content);

  const doc = parseDocument(frontMatter, { prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = frontMatterLine + lineOf(frontMatter, yamlError.pos[0]);
    throw new StyleFileError(path, [`front matter is not valid YAML (line ${line}): ${yamlError.message}`]);
  }
  const raw: unknown = doc.toJS();
  const parsed = styleFrontMatterSchema.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, raw));
  const expectedId = basename(path, '.md');
  if (parsed.success && parsed.data.id !== expectedId) {
    problems.push(`field "id": "${parsed.data.id}" does not match the file name; rename the file or set id: ${expectedId}`);
  }
  const template = body.replace(/^\n+/, '').trimEnd();
  problems.push(...templateProblems(template));
  if (!parsed.success || problems.length > 0) throw new StyleFileError(path, problems);

  return {
    ...parsed.data,
    template,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    path,
  };
}

/** The YAML between a style file's opening and closing "---" lines, and the text after the closing one. */
export function splitFrontMatter(path: string, content: string): { frontMatter: string; frontMatterLine: number; body: string } {
  const missing = 'has no front matter; start the file with a line "---", the YAML fields, a line "---", then the template';
  if (!content.startsWith('---\n')) throw new StyleFileError(path, [missing]);
  const close = /^---[ \t]*$/m.exec(content.slice(4));
  if (!close) throw new StyleFileError(path, [`${missing} (the closing "---" line is missing)`]);
  const end = 4 + close.index;
  return {
    frontMatter: content.slice(4, end),
    frontMatterLine: 2,
    body: content.slice(end + close[0].length),
  };
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length - 1;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length > 0 ? ` in "${formatPath(issue.path)}"` : '';
    const known = issue.path.length === 0 ? `; the fields are ${Object.keys(FIELD_HINTS).join(', ')}` : '';
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}${known}`;
  }
  const field = formatPath(issue.path);
  const top = typeof issue.path[0] === 'string' ? issue.path[0] : '';
  const hint = FIELD_HINTS[top];
  const missing = issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined;
  const what = missing ? 'is missing' : issue.message;
  const subject = field === '' ? 'front matter' : `field "${field}"`;
  return `${subject}: ${what}${hint ? ` — ${hint}` : ''}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Splits a template at its `=== user ===` line; without one, everything is the user message. */
function splitTemplate(template: string): { system: string; user: string } {
  const match = USER_SEPARATOR.exec(template);
  if (!match) return { system: '', user: template.trim() };
  return {
    system: template.slice(0, match.index).trim(),
    user: template.slice(match.index + match[0].length).trim(),
  };
}

/** What is wrong with a template body; empty when it can be rendered safely. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  const separators = template.match(new RegExp(USER_SEPARATOR.source, 'gm'))?.length ?? 0;
  if (separators > 1) problems.push('template: the "=== user ===" line appears more than once; keep one');

  const placeholders = template.split(SOURCE_PLACEHOLDER).length - 1;
  if (placeholders === 0) {
    problems.push(`template: has no ${SOURCE_PLACEHOLDER} placeholder; end the template with ${DOCUMENT_BLOCK_HINT}`);
  } else if (placeholders > 1) {
    problems.push(`template: has ${placeholders} ${SOURCE_PLACEHOLDER} placeholders; keep exactly one`);
  }
  const others = [...template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].filter((m) => m[0] !== SOURCE_PLACEHOLDER);
  for (const other of others) {
    problems.push(`template: unknown placeholder ${other[0]}; only ${SOURCE_PLACEHOLDER} is filled in`);
  }

  if (placeholders === 1 && separators <= 1) {
    const { system, user } = splitTemplate(template);
    // Source last keeps everything before it identical across requests (prefix caching),
    // and the fixed delimiters let a document be told apart from the instructions.
    if (!user.endsWith(DOCUMENT_BLOCK)) {
      problems.push(
        `template: the user part must end with the source between delimiter lines, exactly ${DOCUMENT_BLOCK_HINT}; ` +
          'put the instructions before them, including that the document is data and instructions inside it must not be followed',
      );
    } else if (user.slice(0, -DOCUMENT_BLOCK.length).trim() === '' && system === '') {
      problems.push('template: has no instructions before the document; say what to write and that the document is data only');
    }
  }
  return problems;
}

/** Neutralises delimiter tags inside the source so a document cannot close its own block. */
export function escapeDocumentTags(source: string): string {
  return source.replace(/<(?=\s*\/?\s*document\b[^<>]*>)/gi, '&lt;');
}

export function renderMessages(style: Style, source: string): ChatMessage[] {
  const { system, user } = splitTemplate(style.template);
  const parts = user.split(SOURCE_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new Error(`${style.path}: template must contain exactly one ${SOURCE_PLACEHOLDER} in its user part`);
  }
  // Joined by hand rather than String.replace, which would expand `$&` and friends inside the source.
  const content = parts[0]! + escapeDocumentTags(source) + parts[1]!;
  const messages: ChatMessage[] = [];
  if (system !== '') messages.push({ role: 'system', content: system });
  messages.push({ role: 'user', content });
  return messages;
}

/** Problems that stop these styles from being used with these evaluators; empty when all is fine. */
export function checkStyles(styles: Map<string, Style>, knownEvaluatorIds: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const known = [...knownEvaluatorIds].sort().join(', ');
  for (const [key, style] of styles) {
    const report = (problem: string) => problems.push(`${style.path}: ${problem}`);
    if (key !== style.id) report(`field "id": "${style.id}" is registered under the id "${key}"`);
    templateProblems(style.template).forEach(report);

    const ids = style.evaluators.map((ref) => ref.id);
    style.evaluators.forEach((ref, index) => {
      if (!knownEvaluatorIds.has(ref.id)) {
        report(`field "evaluators[${index}]": unknown evaluator "${ref.id}"; known evaluators: ${known || '(none)'}`);
      }
    });
    if (style.answerPrefix === undefined && ids.includes('answer-prefix')) {
      report('field "evaluators": lists answer-prefix but answer_prefix is not set; set answer_prefix or remove the evaluator');
    }
    if (style.answerPrefix !== undefined) {
      if (!ids.includes('answer-prefix')) {
        report('field "evaluators": answer_prefix is set but answer-prefix is not listed, so the prefix would be neither checked nor stripped before judging');
      }
      if (!style.template.includes(style.answerPrefix)) {
        report(`field "answer_prefix": the template never mentions "${style.answerPrefix}"; tell the model to begin its answer with it`);
      }
    }
  }
  return problems;
}

/** Options in the front matter that the named evaluators reject (unknown option, bad value); empty when all parse. */
export function checkEvaluatorOptions(styles: Map<string, Style>, evaluators: ReadonlyMap<string, Evaluator>): string[] {
  const problems: string[] = [];
  for (const style of styles.values()) {
    style.evaluators.forEach((ref, index) => {
      const parseOptions = evaluators.get(ref.id)?.parseOptions;
      if (!parseOptions) return;
      try {
        parseOptions(ref.options);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        problems.push(`${style.path}: field "evaluators[${index}]": ${detail}`);
      }
    });
  }
  return problems;
}
