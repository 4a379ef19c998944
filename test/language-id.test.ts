import { francAll } from 'franc';
import { data } from 'franc/data.js';
import { describe, expect, it } from 'vitest';
import { isJsSpace } from '../src/js-space.js';
import { guessLanguage, rankLanguages } from '../src/language-id.js';
import { seededRandom } from '../scripts/bench-corpus.js';

// rankLanguages is a faster way to compute franc's ranking; the language evaluator's verdicts depend on it being
// the same ranking, scores and tie order included, for every text.


const SENTENCES = [
  'The committee approved the new budget after a long debate on Tuesday evening.',
  'Le comité a approuvé le nouveau budget après un long débat mardi soir.',
  'Der Ausschuss hat den neuen Haushalt nach einer langen Debatte am Dienstagabend gebilligt.',
  'El comité aprobó el nuevo presupuesto tras un largo debate el martes por la noche.',
  'O comitê aprovou o novo orçamento após um longo debate na terça-feira à noite.',
  'Il comitato ha approvato il nuovo bilancio dopo un lungo dibattito martedì sera.',
  'Комитет одобрил новый бюджет после долгих дебатов во вторник вечером.',
  'Комітет схвалив новий бюджет після тривалих дебатів у вівторок увечері.',
  'وافقت اللجنة على الميزانية الجديدة بعد نقاش طويل مساء الثلاثاء.',
  'समिति ने मंगलवार शाम लंबी बहस के बाद नए बजट को मंजूरी दी।',
  'הוועדה אישרה את התקציב החדש לאחר דיון ארוך ביום שלישי בערב.',
  'ኮሚቴው ከረጅም ክርክር በኋላ አዲሱን በጀት አጽድቋል።',
  'ကော်မတီသည် ရှည်လျားသော ငြင်းခုံမှုအပြီးတွင် ဘတ်ဂျက်အသစ်ကို အတည်ပြုခဲ့သည်။',
  '委员会在星期二晚上经过长时间辩论后批准了新预算。',
  '委員会は火曜日の夜、長い議論の末に新しい予算を承認した。',
  '위원회는 화요일 저녁 긴 토론 끝에 새 예산을 승인했다.',
  'Komitea hyväksyi uuden talousarvion pitkän keskustelun jälkeen tiistai-iltana.',
  'Komisja zatwierdziła nowy budżet po długiej debacie we wtorek wieczorem.',
  'Kamati iliidhinisha bajeti mpya baada ya mjadala mrefu Jumanne jioni.',
  '12345 67890 !!! ??? ...',
  'mixed English et français und Deutsch con español e italiano.',
];

describe('rankLanguages', () => {
  it('ranks sentences of many languages and scripts exactly as franc does', () => {
    for (const sentence of SENTENCES) {
      for (const minLength of [10, 20, 50]) {
        expect(rankLanguages(sentence, minLength), sentence).toEqual(francAll(sentence, { minLength }));
      }
    }
  });

  it('says undetermined for texts shorter than the minimum, as franc does', () => {
    expect(rankLanguages('', 10)).toEqual([['und', 1]]);
    expect(rankLanguages('short', 10)).toEqual(francAll('short', { minLength: 10 }));
  });

  it('agrees with franc on texts built from the profile of every language it knows', () => {
    const random = seededRandom(7);
    for (const profiles of Object.values(data)) {
      for (const profile of Object.values(profiles)) {
        const trigrams = profile.split('|');
        const words = Array.from({ length: 40 + Math.floor(random() * 400) }, () => trigrams[Math.floor(random() * trigrams.length)]);
        // Texts over franc's 2048-character sample are included: only their first 2048 characters count.
        const text = words.join(random() < 0.5 ? '' : ' ');
        expect(rankLanguages(text, 20)).toEqual(francAll(text, { minLength: 20 }));
      }
    }
  });

  it('agrees with franc on mixtures of the sentences above, cut at random places', () => {
    const random = seededRandom(11);
    for (let i = 0; i < 300; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, () => SENTENCES[Math.floor(random() * SENTENCES.length)] as string);
      const joined = parts.join(' ');
      const text = joined.slice(Math.floor(random() * 10), joined.length - Math.floor(random() * 10));
      expect(rankLanguages(text, 10), text).toEqual(francAll(text, { minLength: 10 }));
    }
  });
});

describe('guessLanguage', () => {
  // What the language evaluator reads from a ranking: the best guess and the score of the expected language.
  function fromFranc(text: string, minLength: number, expected: string): { detected: string; score: number } {
    const ranking = francAll(text, { minLength });
    return { detected: ranking[0]![0], score: ranking.find(([code]) => code === expected)?.[1] ?? 0 };
  }
  const EXPECTED = ['eng', 'fra', 'deu', 'spa', 'rus', 'cmn', 'jpn', 'sco', 'xyz'];

  it('gives franc\'s best guess and the expected language\'s score for sentences of many scripts', () => {
    for (const sentence of SENTENCES) {
      for (const minLength of [10, 50]) {
        for (const expected of EXPECTED) expect(guessLanguage(sentence, minLength, expected), `${sentence} ${expected}`).toEqual(fromFranc(sentence, minLength, expected));
      }
    }
  });

  it('agrees with franc on long mixtures, astral characters and texts over the 2048-character sample', () => {
    const random = seededRandom(23);
    for (let i = 0; i < 200; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 40) }, () => SENTENCES[Math.floor(random() * SENTENCES.length)] as string);
      // Characters lowered by context or to two code units, astral ones, and non-ASCII spaces.
      if (random() < 0.2) parts.push('𠀀𠀁 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 𐐀𐐁');
      if (random() < 0.3) parts.push('ΟΔΥΣΣΕΥΣ. Ο ΠΡΟΕΔΡΟΣ\u00a0ΕΙΠΕ «ΝΑΙ»', 'İSTANBUL’DA “İKİ” ŞEHİR\u2003VAR', 'Ça va—très bien…');
      const text = parts.join(' ');
      const expected = EXPECTED[Math.floor(random() * EXPECTED.length)] as string;
      expect(guessLanguage(text, 20, expected), text).toEqual(fromFranc(text, 20, expected));
    }
  });

  it('says undetermined for texts shorter than the minimum', () => {
    expect(guessLanguage('short', 10, 'eng')).toEqual({ detected: 'und', score: 0 });
  });
});

describe('isJsSpace', () => {
  it('is true for exactly the code units \\s matches', () => {
    for (let code = 0; code < 0x10000; code++) expect(isJsSpace(code), code.toString(16)).toBe(/\s/.test(String.fromCharCode(code)));
  });
});
