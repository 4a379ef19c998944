import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { commonOpenings, openingPhrase } from '../../src/ledger/openings.js';

function ledgerWith(outputs: Array<[string, string]>): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE tasks (id INTEGER PRIMARY KEY, style_id TEXT); CREATE TABLE outputs (id INTEGER PRIMARY KEY, task_id INTEGER, text TEXT);`);
  outputs.forEach(([style, text], i) => {
    db.prepare('INSERT INTO tasks VALUES (?, ?)').run(i + 1, style);
    db.prepare('INSERT INTO outputs VALUES (?, ?, ?)').run(i + 1, i + 1, text);
  });
  return db;
}

describe('common opening phrases', () => {
  it('normalises case and punctuation', () => {
    expect(openingPhrase('In this article, we')).toBe('in this article');
    expect(openingPhrase('in this ARTICLE we')).toBe('in this article');
  });

  it('shows a style collapsing onto one template, per style, ignoring one-off openings', () => {
    const db = ledgerWith([
      ['wiki', 'In this article, the bridge is described.'],
      ['wiki', 'In this article the river is described.'],
      ['wiki', 'In this article, a town.'],
      ['wiki', 'The bridge spans the river.'],
      ['qa', 'Question: What is it?'],
    ]);
    expect(commonOpenings(db)).toEqual({ wiki: [{ phrase: 'in this article', count: 3, share: 0.75 }], qa: [] });
  });

  it('keeps finding a dominant opening with bounded memory', () => {
    const rows: Array<[string, string]> = [];
    for (let i = 0; i < 3000; i++) rows.push(['wiki', i % 3 === 0 ? 'Here is the text' : `Unique opening ${i} words`]);
    const top = commonOpenings(ledgerWith(rows), { capacity: 50 })['wiki']!;
    expect(top[0]!.phrase).toBe('here is the');
    expect(top[0]!.count).toBeGreaterThan(500);
  });
});
