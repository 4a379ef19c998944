// One configured endpoint → the provider that talks to it. Keys are read here, from the variable the
// endpoint names, and go nowhere but the provider.

import type { EndpointConfigEntry } from '../endpoints-config.js';
import type { Provider } from '../types.js';
import { createHuggingFaceProvider } from './huggingface.js';
import { createLlamaCppProvider } from './llama-cpp.js';
import { createOpenAIProvider } from './openai.js';

export type ConfiguredProvider = Provider & {
  /** Frees what the provider holds (the llama.cpp model); call once the run is over. */
  dispose?(): Promise<void>;
  /** HTTP requests one generate() sends for `n` candidates when that is not 1 (Hugging Face: one per candidate). */
  requestsPerGenerate?(n: number): number;
};

export function createProvider(endpoint: EndpointConfigEntry, env: NodeJS.ProcessEnv): ConfiguredProvider {
  switch (endpoint.provider) {
    case 'openai':
      return createOpenAIProvider({
        baseUrl: endpoint.baseUrl,
        apiKey: endpoint.apiKeyEnv ? env[endpoint.apiKeyEnv] || undefined : undefined,
        apiKeyEnv: endpoint.apiKeyEnv,
        timeoutMs: endpoint.timeoutMs,
        name: endpoint.name,
      });
    case 'huggingface':
      return createHuggingFaceProvider({
        baseUrl: endpoint.baseUrl,
        token: endpoint.apiKeyEnv ? env[endpoint.apiKeyEnv] || undefined : undefined,
        tokenEnv: endpoint.apiKeyEnv,
        timeoutMs: endpoint.timeoutMs,
        name: endpoint.name,
      });
    case 'llama-cpp':
      return createLlamaCppProvider({
        modelPath: endpoint.modelPath,
        model: endpoint.model,
        threads: endpoint.threads,
        contextSize: endpoint.contextSize,
        timeoutMs: endpoint.timeoutMs,
        name: endpoint.name,
      });
  }
}
