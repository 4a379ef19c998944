// `reword prompts list|show|check`: inspect and validate the rephrasing styles.
import { Command } from 'commander';
import { builtinEvaluators } from '../../evaluators/index.js';
import { checkEvaluatorOptions, checkStyles, loadStyles, loadStylesCollectingErrors, renderMessages } from '../prompts.js';
import type { Style } from '../types.js';

/** Short enough to read in a terminal, with a number so number-checking styles have something to keep. */
const EXAMPLE_SOURCE =
  'The Rhine rises in the Swiss Alps and flows 1,230 kilometres to the North Sea. ' +
  'For centuries it has been one of the busiest waterways in Europe, carrying goods between Switzerland, ' +
  'France, Germany and the Netherlands.';

interface DirOptions {
  prompts?: string;
}

const PROMPTS_OPTION = ['--prompts <dir>', 'extra directory of <id>.md style files; they replace built-ins of the same id'] as const;

export function promptsCommand(): Command {
  const command = new Command('prompts').description('list, show and check the rephrasing styles');

  command
    .command('list')
    .description('list the styles: id, kind, description')
    .option(...PROMPTS_OPTION)
    .action((opts: DirOptions) => {
      const styles = loadOrReport(opts);
      if (styles) out(formatList([...styles.values()]));
    });

  command
    .command('show')
    .description("show a style's file, settings and the messages it renders for an example source")
    .argument('<id>', 'style id')
    .option(...PROMPTS_OPTION)
    .option('--source <text>', 'render this text instead of the built-in example')
    .action((id: string, opts: DirOptions & { source?: string }) => {
      const styles = loadOrReport(opts);
      if (!styles) return;
      const style = styles.get(id);
      if (!style) {
        fail(`unknown style "${id}"; the styles are: ${[...styles.keys()].sort().join(', ')}`);
        return;
      }
      out(formatStyle(style, opts.source ?? EXAMPLE_SOURCE));
    });

  command
    .command('check')
    .description('load and validate every style against the known evaluators; exit code 1 on any problem')
    .option(...PROMPTS_OPTION)
    .action((opts: DirOptions) => {
      const { styles, errors } = loadStylesCollectingErrors(optsToLoad(opts));
      const problems = [
        ...errors.map((error) => error.message),
        ...checkStyles(styles, new Set(builtinEvaluators.keys())),
        ...checkEvaluatorOptions(styles, builtinEvaluators),
      ];
      if (problems.length > 0) {
        process.stderr.write(`${problems.join('\n')}\n`);
        // A style file may carry several problems in one message: count them, not the messages.
        const count = problems.length - errors.length + errors.reduce((n, error) => n + error.problems.length, 0);
        process.stderr.write(`${count} problem${count === 1 ? '' : 's'} found\n`);
        process.exitCode = 1;
        return;
      }
      out(`${styles.size} styles OK: ${[...styles.keys()].sort().join(', ')}`);
    });

  return command;
}

function optsToLoad(opts: DirOptions): { extraDir?: string } {
  return opts.prompts === undefined ? {} : { extraDir: opts.prompts };
}

function loadOrReport(opts: DirOptions): Map<string, Style> | undefined {
  try {
    return loadStyles(optsToLoad(opts));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

export function formatList(styles: readonly Style[]): string {
  const sorted = [...styles].sort((a, b) => a.id.localeCompare(b.id));
  const idWidth = Math.max(0, ...sorted.map((style) => style.id.length));
  const kindWidth = Math.max(0, ...sorted.map((style) => style.kind.length));
  return sorted.map((style) => `${style.id.padEnd(idWidth)}  ${style.kind.padEnd(kindWidth)}  ${style.description}`).join('\n');
}

export function formatStyle(style: Style, source: string): string {
  const evaluators = style.evaluators
    .map((ref) => (Object.keys(ref.options).length > 0 ? `${ref.id} ${JSON.stringify(ref.options)}` : ref.id))
    .join(', ');
  const fields: [string, string][] = [
    ['path', style.path],
    ['sha256', style.sha256],
    ['id', style.id],
    ['kind', style.kind],
    ['description', style.description],
    ['max_output_tokens', String(style.maxOutputTokens)],
    ['length_ratio', `${style.lengthRatio.min} – ${style.lengthRatio.max}`],
    ['temperature', String(style.temperature)],
    ...(style.answerPrefix === undefined ? [] : [['answer_prefix', JSON.stringify(style.answerPrefix)] as [string, string]]),
    ['evaluators', evaluators || '(none)'],
  ];
  const width = Math.max(...fields.map(([name]) => name.length)) + 1;
  const header = fields.map(([name, value]) => `${`${name}:`.padEnd(width)} ${value}`).join('\n');
  const messages = renderMessages(style, source)
    .map((message) => `--- ${message.role} ---\n${message.content}`)
    .join('\n\n');
  return `${header}\n\n${messages}`;
}

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}
