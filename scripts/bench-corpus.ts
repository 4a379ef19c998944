// Synthetic documents for the benchmark: English-like prose with names, places, numbers and dates, so the
// judge's evaluators have the kind of content they look for and the fake server's faithful rewrite passes them.
// Deterministic (a seeded generator), every document different, written as JSONL in large blocks so that
// generating a gigabyte takes seconds rather than minutes.

import { closeSync, openSync, writeSync } from 'node:fs';

/** mulberry32: a small, fast, seedable generator; quality is irrelevant here, determinism is not. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PEOPLE = [
  'Maria Alvarez', 'Kenji Watanabe', 'Amara Okafor', 'Lars Henriksen', 'Priya Raman', 'Tomasz Nowak', 'Elena Petrova',
  'Samuel Mensah', 'Ingrid Holm', 'Rafael Costa', 'Aiko Tanaka', 'Omar Haddad', 'Fiona Gallagher', 'Viktor Lindqvist',
  'Nadia Benali', 'Henrik Dahl', 'Lucia Romano', 'Daniel Osei', 'Mei Chen', 'Jonas Weber',
];
const PLACES = [
  'Lisbon', 'Tampere', 'Kraków', 'Valparaíso', 'Osaka', 'Nairobi', 'Bergen', 'Cork', 'Porto Alegre', 'Tbilisi', 'Leeds',
  'Gdańsk', 'Montréal', 'Hobart', 'Bilbao', 'Aarhus', 'Kumasi', 'Daejeon', 'Ljubljana', 'Cusco',
];
const ORGS = [
  'the Northern Rail Authority', 'the Coastal Research Institute', 'the City Water Board', 'the Harbour Trust',
  'the Regional Museum', 'the Forestry Commission', 'the National Archive', 'the Energy Cooperative',
  'the Medical Faculty', 'the Farmers Union', 'the Port Council', 'the Science Academy',
];
const SUBJECTS = [
  'bridge', 'library', 'reservoir', 'railway line', 'school', 'hospital wing', 'market hall', 'observatory',
  'canal', 'wind farm', 'orchard', 'ferry service', 'printing press', 'textile mill', 'seed bank', 'tram network',
];
const ADJECTIVES = [
  'new', 'old', 'northern', 'southern', 'small', 'large', 'public', 'private', 'wooden', 'stone', 'coastal', 'rural',
  'municipal', 'seasonal', 'experimental', 'temporary', 'restored', 'modern',
];
const VERBS = [
  'opened', 'expanded', 'rebuilt', 'funded', 'surveyed', 'closed', 'renamed', 'moved', 'repaired', 'studied',
  'documented', 'connected', 'replaced', 'inspected', 'extended', 'planned',
];
const UNITS = ['kilometres', 'tonnes', 'workers', 'visitors', 'households', 'hectares', 'volumes', 'passengers', 'euros', 'metres'];
const REASONS = [
  'because demand had grown steadily', 'after a long public consultation', 'when the earlier plan ran out of money',
  'following severe storms along the coast', 'as part of a wider regional programme', 'once the surveys were complete',
  'while the old site remained in use', 'despite objections from several neighbours',
];
const OUTCOMES = [
  'Local newspapers reported that attendance rose during the first winter.',
  'Critics argued that the cost was too high for a town of that size.',
  'Records from the period describe frequent delays caused by flooding.',
  'Several families moved into the district within a few years.',
  'Engineers later found that the foundations needed further work.',
  'The project was cited in parliament as an example for other regions.',
  'Teachers used the site for lessons on history and geography.',
  'Maintenance was handed to volunteers during the summer months.',
];

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const int = (random: () => number, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

const TEMPLATES = 12;
/** Uses of one sentence template per document: a third would repeat enough 5-grams to look degenerate. */
const MAX_TEMPLATE_USES = 2;

function sentence(random: () => number, template: number): string {
  switch (template) {
    case 0:
      return `In ${int(random, 1850, 2022)}, ${pick(random, ORGS)} ${pick(random, VERBS)} the ${pick(random, ADJECTIVES)} ${pick(random, SUBJECTS)} in ${pick(random, PLACES)} ${pick(random, REASONS)}.`;
    case 1:
      return `${pick(random, PEOPLE)} ${pick(random, VERBS)} a ${pick(random, ADJECTIVES)} ${pick(random, SUBJECTS)} near ${pick(random, PLACES)}, which served about ${int(random, 12, 98_000).toLocaleString('en-US')} ${pick(random, UNITS)} each year.`;
    case 2:
      return `The ${pick(random, SUBJECTS)} covered ${int(random, 2, 950)} ${pick(random, UNITS)} and cost roughly ${int(random, 3, 700)} million at the time.`;
    case 3:
      return `According to ${pick(random, PEOPLE)}, the ${pick(random, ADJECTIVES)} ${pick(random, SUBJECTS)} was ${pick(random, VERBS)} in ${int(random, 3, 40)} months, faster than anyone in ${pick(random, PLACES)} expected.`;
    case 4:
      return pick(random, OUTCOMES); // a template used once per paragraph, so never twice in a row
    case 5:
      return `By ${int(random, 1900, 2023)} it employed ${int(random, 5, 4_000)} people, and ${pick(random, ORGS)} had ${pick(random, VERBS)} a second ${pick(random, SUBJECTS)} in ${pick(random, PLACES)}.`;
    case 6:
      return `A report written by ${pick(random, PEOPLE)} in ${int(random, 1950, 2021)} noted that ${int(random, 2, 95)} percent of the ${pick(random, UNITS)} came from ${pick(random, PLACES)}.`;
    case 7:
      return `Visitors from ${pick(random, PLACES)} often compared it with the ${pick(random, SUBJECTS)} that ${pick(random, PEOPLE)} had ${pick(random, VERBS)} decades earlier.`;
    case 8:
      return `Between ${int(random, 1880, 1950)} and ${int(random, 1951, 2020)} the number of ${pick(random, UNITS)} fell by ${int(random, 2, 60)} percent.`;
    case 9:
      return `Funding came mostly from ${pick(random, ORGS)}, with smaller grants from donors in ${pick(random, PLACES)}.`;
    case 10:
      return `Today the ${pick(random, ADJECTIVES)} ${pick(random, SUBJECTS)} is managed by ${pick(random, PEOPLE)} and remains open to the public.`;
    default:
      return `Unlike the ${pick(random, ADJECTIVES)} ${pick(random, SUBJECTS)} of ${pick(random, PLACES)}, this one was ${pick(random, VERBS)} by ${pick(random, PEOPLE)} without outside help.`;
  }
}

/** One document of about `words` words in paragraphs of three to six sentences. */
export function syntheticDocument(random: () => number, words: number): string {
  const paragraphs: string[] = [];
  const uses = new Array<number>(TEMPLATES).fill(0);
  let count = 0;
  while (count < words) {
    const sentences: string[] = [];
    const size = int(random, 3, 6);
    const inParagraph = new Set<number>();
    for (let i = 0; i < size && count < words; i++) {
      let template = int(random, 0, TEMPLATES - 1);
      // A chunk may be a single paragraph: two sentences of one template in it repeat enough words to be
      // judged degenerate. Past 2 × TEMPLATES sentences repeats are unavoidable (documents here are shorter).
      for (let tries = 0; ((uses[template] as number) >= MAX_TEMPLATE_USES || inParagraph.has(template)) && tries < TEMPLATES; tries++) {
        template = (template + 1) % TEMPLATES;
      }
      inParagraph.add(template);
      uses[template] = (uses[template] as number) + 1;
      const s = sentence(random, template);
      sentences.push(s);
      count += s.split(' ').length;
    }
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n\n');
}

export interface CorpusOptions {
  documents: number;
  /** Words per document, about. */
  words: number;
  seed?: number;
}

/** Writes `documents` JSONL records `{"id","text","source"}` to `path`; returns the bytes written. */
export function writeCorpus(path: string, opts: CorpusOptions): number {
  const random = seededRandom(opts.seed ?? 1);
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    let block: string[] = [];
    const flushBlock = (): void => {
      const buffer = Buffer.from(block.join(''), 'utf8');
      writeSync(fd, buffer);
      bytes += buffer.length;
      block = [];
    };
    for (let i = 0; i < opts.documents; i++) {
      block.push(JSON.stringify({ id: `doc-${i}`, text: syntheticDocument(random, opts.words), source: 'bench' }) + '\n');
      if (block.length === 4096) flushBlock();
    }
    if (block.length > 0) flushBlock();
  } finally {
    closeSync(fd);
  }
  return bytes;
}
