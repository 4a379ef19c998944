import { existsSync } from 'node:fs';
import { chunkDocument } from './chunk.js';
import { ConfigError, type RunConfig } from './config.js';
import { openLedger } from './ledger/open-ledger.js';
import { loadStyles, renderMessages } from './prompts.js';
import { assertInputsReadable, readSources } from './sources/read-sources.js';
import { modelKey, samplingParams, taskKey } from './task-key.js';
import { countTokens } from './tokens.js';
import type { Style } from './types.js';

export interface EndpointPlan {
  name: string;
  /** Share of the tasks, by weight. */
  share: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** USD; null when the endpoint has no prices. */
  cost: number | null;
  /** Requests per minute its rpm/tpm limits allow; null when it has neither. */
  requestsPerMinute: number | null;
}

export interface RunPlan {
  documents: number;
  inputErrors: number;
  chunks: number;
  tasks: number;
  /** Tasks the ledger already accepted or rejected: a re-run skips them. */
  tasksDone: number;
  inputTokens: number;
  outputTokens: number;
  endpoints: EndpointPlan[];
  /** USD over all endpoints with prices; null when none has any. */
  cost: number | null;
  /** Minutes the configured limits imply at one attempt per task; null when an endpoint has no limit. */
  minutes: number | null;
  maxAttempts: number;
}

/**
 * What a run would do, without sending a request: reads and chunks the input like `run` does and estimates
 * tokens (prompt: template + chunk; output: the chunk scaled by the style's middle length ratio, capped by
 * its max_output_tokens, times the candidates per request) at one attempt per task.
 */
export async function planRun(config: RunConfig): Promise<RunPlan> {
  const all = loadStyles({ extraDir: config.promptsDir });
  const styles: Style[] = config.styles.map((id) => {
    const s = all.get(id);
    if (!s) throw new ConfigError(`unknown style '${id}': known styles are ${[...all.keys()].join(', ')}`);
    return s;
  });
  await assertInputsReadable(config.inputs);
  const templateTokens = new Map(styles.map((s) => [s.id, countTokens(renderMessages(s, '').map((m) => m.content).join('\n'))]));
  const db = existsSync(config.ledger) ? openLedger(config.ledger, { readonly: true }) : undefined;
  const lookup = db?.prepare(`SELECT 1 FROM tasks WHERE task_key = ? AND status IN ('accepted', 'rejected')`);
  const model = modelKey(config);

  const plan: RunPlan = {
    documents: 0, inputErrors: 0, chunks: 0, tasks: 0, tasksDone: 0, inputTokens: 0, outputTokens: 0,
    endpoints: [], cost: null, minutes: null, maxAttempts: config.maxAttempts,
  };
  try {
    for await (const item of readSources(config.inputs, { textField: config.textField, idField: config.idField, stdinFormat: config.stdinFormat })) {
      if (item.kind === 'error') {
        plan.inputErrors++;
        continue;
      }
      plan.documents++;
      for (const chunk of chunkDocument(item.doc, { maxTokens: config.chunkTokens })) {
        plan.chunks++;
        for (const style of styles) {
          plan.tasks++;
          if (lookup) {
            const key = taskKey({ chunkSha256: chunk.sha256, promptSha256: style.sha256, model, params: samplingParams(config, style) });
            if (lookup.get(key)) {
              plan.tasksDone++;
              continue;
            }
          }
          plan.inputTokens += chunk.tokens + (templateTokens.get(style.id) ?? 0);
          const ratio = (style.lengthRatio.min + style.lengthRatio.max) / 2;
          plan.outputTokens += Math.min(style.maxOutputTokens, Math.ceil(chunk.tokens * ratio)) * config.candidates;
        }
      }
    }
  } finally {
    db?.close();
  }

  const requests = plan.tasks - plan.tasksDone;
  const totalWeight = config.endpoints.reduce((n, e) => n + e.weight, 0);
  const tokensPerRequest = requests > 0 ? (plan.inputTokens + plan.outputTokens) / requests : 0;
  plan.endpoints = config.endpoints.map((e) => {
    const share = e.weight / totalWeight;
    const priced = e.pricePerMillionInput !== undefined || e.pricePerMillionOutput !== undefined;
    const inputTokens = Math.round(plan.inputTokens * share);
    const outputTokens = Math.round(plan.outputTokens * share);
    const limits = [e.rpm, e.tpm !== undefined && tokensPerRequest > 0 ? e.tpm / tokensPerRequest : undefined].filter(
      (x): x is number => x !== undefined,
    );
    return {
      name: e.name,
      share,
      requests: Math.round(requests * share),
      inputTokens,
      outputTokens,
      cost: priced ? (inputTokens * (e.pricePerMillionInput ?? 0) + outputTokens * (e.pricePerMillionOutput ?? 0)) / 1e6 : null,
      requestsPerMinute: limits.length > 0 ? Math.min(...limits) : null,
    };
  });
  const costs = plan.endpoints.map((e) => e.cost).filter((c): c is number => c !== null);
  plan.cost = costs.length > 0 ? costs.reduce((a, b) => a + b, 0) : null;
  // Weighted routing sends each endpoint its share; the slowest share decides when the run ends.
  const minutes = plan.endpoints.map((e) => (e.requestsPerMinute === null ? null : e.requests / e.requestsPerMinute));
  plan.minutes = minutes.every((m): m is number => m !== null) ? Math.max(0, ...minutes) : null;
  return plan;
}
