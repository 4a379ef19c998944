import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { formatPath, loadEndpointsConfig, parseEndpointsConfig } from '../src/endpoints-config.js';
import { createProvider } from '../src/providers/create-provider.js';
import type { GenerateRequest } from '../src/types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reword-endpoints-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const THREE_BACKENDS = `# a GPU box, a hosted model and a laptop model
endpoints:
  - name: gpu-box
    provider: openai
    base_url: http://10.0.0.5:8000/v1
    model: Qwen/Qwen2.5-7B-Instruct
    weight: 3
    max_in_flight: 64
  - provider: huggingface
    model: meta-llama/Llama-3.1-8B-Instruct
    rpm: 600
    tpm: 200000
    price_per_million_input: 0.05
    price_per_million_output: 0.08
    timeout_ms: 60000
  - provider: llama-cpp
    model_path: models/stories260K.gguf
    threads: 2
    context_size: 1024
run:
  candidates: 2
  styles: [wiki, qa]
`;

describe('loadEndpointsConfig: a valid file', () => {
  it('reads every endpoint with its limits, fills in defaults and derives names', () => {
    const config = loadEndpointsConfig(writeConfig('reword.yaml', THREE_BACKENDS));
    const [gpu, hf, local] = config.endpoints;

    expect(gpu).toEqual({
      provider: 'openai',
      name: 'gpu-box',
      baseUrl: 'http://10.0.0.5:8000/v1',
      model: 'Qwen/Qwen2.5-7B-Instruct',
      apiKeyEnv: undefined,
      weight: 3,
      maxInFlight: 64,
      rpm: undefined,
      tpm: undefined,
      pricePerMillionInput: undefined,
      pricePerMillionOutput: undefined,
      timeoutMs: 120_000,
    });
    expect(hf).toMatchObject({
      provider: 'huggingface',
      name: 'huggingface:meta-llama/Llama-3.1-8B-Instruct',
      baseUrl: undefined,
      apiKeyEnv: 'HF_TOKEN',
      weight: 1,
      maxInFlight: 8,
      rpm: 600,
      tpm: 200_000,
      pricePerMillionInput: 0.05,
      pricePerMillionOutput: 0.08,
      timeoutMs: 60_000,
    });
    expect(local).toMatchObject({
      provider: 'llama-cpp',
      name: 'llama-cpp:stories260K.gguf',
      model: 'stories260K',
      // Relative to the config file, not to wherever reword was started.
      modelPath: join(dir, 'models/stories260K.gguf'),
      threads: 2,
      contextSize: 1024,
    });
    expect(config.run).toEqual({ candidates: 2, styles: ['wiki', 'qa'] });
  });

  it('reads the same configuration from JSON', () => {
    const json = {
      endpoints: [{ provider: 'openai', base_url: 'https://api.openai.com/v1', model: 'gpt-4o-mini', api_key_env: 'OPENAI_API_KEY', rpm: 500 }],
    };
    const config = loadEndpointsConfig(writeConfig('reword.json', JSON.stringify(json, null, 2)));
    expect(config.endpoints[0]).toMatchObject({ name: 'https://api.openai.com/v1', apiKeyEnv: 'OPENAI_API_KEY', rpm: 500 });
    expect(config.run).toBeUndefined();
  });

  it('names an Inference Endpoint by its URL without query', () => {
    const config = parseEndpointsConfig(
      { endpoints: [{ provider: 'huggingface', base_url: 'https://abc.endpoints.huggingface.cloud/?x=1', model: 'tgi' }] },
      { file: 'inline' },
    );
    expect(config.endpoints[0]!.name).toBe('https://abc.endpoints.huggingface.cloud');
    expect(config.endpoints[0]).toMatchObject({ apiKeyEnv: 'HF_TOKEN' });
  });

  it('refuses credentials in a base URL (fetch cannot send them, and the URL is recorded) without repeating them', () => {
    const parse = () =>
      parseEndpointsConfig({ endpoints: [{ provider: 'huggingface', base_url: 'https://user:pw-secret@abc.endpoints.huggingface.cloud', model: 'tgi' }] }, { file: 'inline' });
    expect(parse).toThrow(/must not hold credentials/);
    expect(parse).not.toThrow(/pw-secret/);
  });

  it("does not send the Hugging Face token to a self-hosted TGI server unless asked to", () => {
    const config = parseEndpointsConfig(
      {
        endpoints: [
          { provider: 'huggingface', base_url: 'http://10.0.0.7:8080', model: 'tgi' },
          { provider: 'huggingface', base_url: 'http://10.0.0.8:8080', model: 'tgi', api_key_env: 'TGI_TOKEN' },
        ],
      },
      { file: 'inline' },
    );
    expect(config.endpoints.map((e) => (e.provider === 'huggingface' ? e.apiKeyEnv : null))).toEqual([undefined, 'TGI_TOKEN']);
  });
});

describe('loadEndpointsConfig: errors name the file, the field path and the fix', () => {
  it('a bad limit: the path, the line and an example of a good value', () => {
    const path = writeConfig(
      'bad-rpm.yaml',
      `endpoints:
  - provider: openai
    base_url: http://127.0.0.1:8000/v1
    model: m
  - provider: openai
    base_url: http://127.0.0.1:8001/v1
    model: m
    rpm: -5
`,
    );
    const err = errorOf(() => loadEndpointsConfig(path));
    expect(err.message).toContain(path);
    expect(err.message).toContain('endpoints[1].rpm (line 8): expected a positive whole number of requests per minute, e.g. rpm: 600');
  });

  it('every problem at once, each on its own line', () => {
    const path = writeConfig(
      'many.yaml',
      `endpoints:
  - provider: openai
    model: m
    weight: heavy
    max_in_flight: 2.5
  - provider: llama-cpp
    threads: 0
  - provider: vllm
    model: m
`,
    );
    const message = errorOf(() => loadEndpointsConfig(path)).message;
    expect(message).toMatch(/\(6 problems\)/);
    expect(message).toMatch(/endpoints\[0\]\.base_url \(line 2\): expected an http\(s\) URL/);
    expect(message).toMatch(/endpoints\[0\]\.weight \(line 4\): expected a positive number/);
    expect(message).toMatch(/endpoints\[0\]\.max_in_flight \(line 5\): expected a positive whole number/);
    expect(message).toMatch(/endpoints\[1\]\.model_path \(line 6\): required: the GGUF file to load/);
    expect(message).toMatch(/endpoints\[1\]\.threads \(line 7\): expected a positive whole number of CPU threads/);
    expect(message).toMatch(/endpoints\[2\]\.provider \(line 8\): expected one of openai, huggingface, llama-cpp/);
  });

  it('a key written into the file is refused with a pointer to api_key_env, and never repeated', () => {
    const key = 'sk-proj-Zq81mN0vXc4LpR7tYw2sKd9fHg3JbA6e';
    const path = writeConfig('key.yaml', `endpoints:\n  - provider: openai\n    base_url: https://api.openai.com/v1\n    model: m\n    api_key: ${key}\n`);
    const message = errorOf(() => loadEndpointsConfig(path)).message;
    expect(message).toMatch(/endpoints\[0\]\.api_key \(line 5\): keys do not belong in the config file/);
    expect(message).toContain('api_key_env');
    expect(message).not.toContain(key.slice(0, 12));
  });

  it('a key pasted where the variable name goes is refused, and never repeated', () => {
    const token = 'hf_QmT4vXw9ZkP2rLs8NdYb6JcHe3FgA7uWqR';
    const message = errorOf(() =>
      parseEndpointsConfig({ endpoints: [{ provider: 'huggingface', model: 'm', api_key_env: token }] }, { file: 'reword.yaml' }),
    ).message;
    expect(message).toMatch(/endpoints\[0\]\.api_key_env: this looks like a key, not a variable name/);
    expect(message).not.toContain(token.slice(3, 12));
  });

  it('a field of another provider, a camelCase spelling and an unknown field each get their own hint', () => {
    const message = errorOf(() =>
      parseEndpointsConfig(
        {
          endpoints: [
            { provider: 'openai', base_url: 'http://127.0.0.1:8000/v1', model: 'm', threads: 4, maxInFlight: 4, colour: 'red' },
            { provider: 'llama-cpp', model_path: 'm.gguf', base_url: 'http://127.0.0.1:8000/v1' },
          ],
        },
        { file: 'reword.yaml' },
      ),
    ).message;
    expect(message).toContain('endpoints[0].threads: openai endpoints do not take threads (only llama-cpp endpoints do); remove it');
    expect(message).toContain('endpoints[0].maxInFlight: unknown field "maxInFlight"; did you mean max_in_flight?');
    expect(message).toMatch(/endpoints\[0\]\.colour: unknown field "colour"; openai endpoints take: provider, base_url, model, api_key_env, name, weight/);
    expect(message).toContain('endpoints[1].base_url: llama-cpp endpoints do not take base_url (only openai and huggingface endpoints do)');
  });

  it('two endpoints with one name', () => {
    const message = errorOf(() =>
      parseEndpointsConfig(
        {
          endpoints: [
            { provider: 'openai', base_url: 'http://127.0.0.1:8000/v1', model: 'a' },
            { provider: 'openai', base_url: 'http://127.0.0.1:8000/v1/', model: 'b' },
          ],
        },
        { file: 'reword.yaml' },
      ),
    ).message;
    expect(message).toContain('endpoints[1].name: "http://127.0.0.1:8000/v1" is also the name of endpoints[0]; give each endpoint a distinct name');
  });

  it('the shape of the file itself', () => {
    expect(errorOf(() => parseEndpointsConfig([], { file: 'a.yaml' })).message).toMatch(/a\.yaml: expected a mapping with an endpoints: list/);
    expect(errorOf(() => parseEndpointsConfig({ endpoints: [] }, { file: 'a.yaml' })).message).toContain('endpoints: list at least one endpoint');
    expect(errorOf(() => parseEndpointsConfig({}, { file: 'a.yaml' })).message).toContain('endpoints: required: a list of endpoints');
    expect(errorOf(() => parseEndpointsConfig({ endpoints: [{ provider: 'openai' }], endpiont: 1 }, { file: 'a.yaml' })).message).toMatch(
      /endpiont: unknown top-level field "endpiont"; the file holds endpoints: \(a list\) and optionally run:/,
    );
    expect(errorOf(() => parseEndpointsConfig({ endpoints: [{ model: 'm' }] }, { file: 'a.yaml' })).message).toContain(
      'endpoints[0].provider: required: the backend, one of openai, huggingface, llama-cpp',
    );
  });

  it('broken YAML points at the line and column', () => {
    const path = writeConfig('broken.yaml', 'endpoints:\n  - provider: openai\n    model: [unclosed\n');
    const message = errorOf(() => loadEndpointsConfig(path)).message;
    expect(message).toContain(`${path}: not valid YAML`);
    expect(message).toMatch(/line \d+, column \d+/);
  });

  it('a missing file says to check the --config path', () => {
    const missing = join(dir, 'nope.yaml');
    expect(errorOf(() => loadEndpointsConfig(missing)).message).toBe(
      `${missing}: cannot read the endpoints configuration (no such file); check the --config path`,
    );
  });

  it('formats field paths the way users write them', () => {
    expect(formatPath(['endpoints', 1, 'rpm'])).toBe('endpoints[1].rpm');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('createProvider: configured endpoints become providers', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const request: GenerateRequest = { messages: [{ role: 'user', content: 'hi' }], model: 'm', maxTokens: 8, temperature: 0, n: 1 };
  const reply = {
    id: 'c',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { content: 'hello' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1 },
  };

  it('reads each key from the variable its endpoint names, and nothing loads before the first request', async () => {
    mkdirSync(join(dir, 'models'), { recursive: true });
    const config = loadEndpointsConfig(
      writeConfig(
        'providers.yaml',
        `endpoints:
  - provider: openai
    base_url: https://llm.example.test/v1
    model: m
    api_key_env: MY_LLM_KEY
  - provider: huggingface
    model: m
  - provider: llama-cpp
    model_path: models/absent.gguf
`,
      ),
    );
    const env = { MY_LLM_KEY: 'sk-test-key-123456789', HF_TOKEN: 'hf_testtoken1234567890abcdef' };
    const authorizations: Array<string | null> = [];
    server.use(
      http.post('https://llm.example.test/v1/chat/completions', ({ request: req }) => {
        authorizations.push(req.headers.get('authorization'));
        return HttpResponse.json(reply);
      }),
      http.post('https://router.huggingface.co/v1/chat/completions', ({ request: req }) => {
        authorizations.push(req.headers.get('authorization'));
        return HttpResponse.json(reply);
      }),
    );
    const [openai, hf, local] = config.endpoints.map((e) => createProvider(e, env));
    expect([openai!.endpoint, hf!.endpoint, local!.endpoint]).toEqual([
      'https://llm.example.test/v1',
      'huggingface:m',
      'llama-cpp:absent.gguf',
    ]);
    await openai!.generate(request);
    await hf!.generate(request);
    expect(authorizations).toEqual(['Bearer sk-test-key-123456789', 'Bearer hf_testtoken1234567890abcdef']);
    expect(hf!.requestsPerGenerate?.(4)).toBe(4);
    expect(typeof local!.dispose).toBe('function');
    await local!.dispose!();
  });
});
