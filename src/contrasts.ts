// Words that exclude each other, for catching a rewrite that changes a fact by changing one word: opposites
// ("prices rose" → "prices fell") and members of one closed set ("on Tuesday" → "on Friday", "by train" →
// "by plane", "charged with murder" → "charged with manslaughter"). General lists, not drawn from any
// evaluation set: they should make sense for any text. Words are compared after normalisation (see
// normalizeWord), so inflected forms need not be listed. A set lists only words no member is a kind of:
// "phone" and "smartphone" would not belong together.

import { normalizeWord } from './content-words.js';

const PAIRS = `
good bad|better worse|best worst|high low|higher lower|highest lowest|increase decrease|increase reduce|increase cut
rise fall|rising falling|raise lower|gain loss|gain lose|win lose|win loss|victory defeat|success failure|succeed fail
successful unsuccessful|accept reject|accept refuse|approve reject|approve deny|allow forbid|allow prohibit|allow ban
permit forbid|permit ban|agree disagree|agree refuse|support oppose|include exclude|inclusive exclusive|add remove
open close|opened closed|start end|start stop|begin end|beginning end|first last|initial final|early late|earlier later
earliest latest|past future|old new|young old|older younger|ancient modern|big small|large small|larger smaller
largest smallest|long short|longer shorter|tall short|wide narrow|thick thin|heavy light|strong weak|stronger weaker
strength weakness|hard easy|difficult easy|simple complex|simple complicated|fast slow|quick slow|faster slower
hot cold|warm cool|wet dry|full empty|rich poor|wealthy poor|cheap expensive|safe dangerous|safe unsafe|healthy sick
healthy unhealthy|alive dead|live die|birth death|born died|male female|man woman|men women|boy girl|father mother
husband wife|son daughter|brother sister|king queen|uncle aunt|north south|east west|northern southern|eastern western
up down|upper lower|above below|inside outside|internal external|domestic foreign|import export
buy sell|buyer seller|bought sold|borrow lend|give take|send receive|push pull|enter exit|entrance exit|arrive depart
arrival departure|remember forget|love hate|like dislike|happy sad|happy unhappy|positive negative|optimistic pessimistic
true false|correct incorrect|right wrong|legal illegal|public private|urban rural|major minor|maximum minimum
maximize minimize|majority minority|many few|always never|often rarely|attack defend|offense defense|offensive defensive
guilty innocent|convict acquit|conviction acquittal|hire fire|employ dismiss|profit loss|surplus deficit|expand shrink
expand contract|grow shrink|growth decline|strengthen weaken|improve worsen|improve deteriorate|boost cut|ascend descend
present absent|presence absence|confirm deny|admit deny|visible invisible|possible impossible|likely unlikely
able unable|known unknown|certain uncertain|stable unstable|clear unclear|fair unfair|permanent temporary
voluntary mandatory|voluntary compulsory|optional mandatory|optional required|clean dirty|light dark|day night
summer winter|friend enemy|ally enemy|peace war|quiet loud|top bottom|front back|input output|inbound outbound
superior inferior|senior junior|ahead behind|before after|pass fail|praise criticize|reward punish
encourage discourage|help hinder|relevant irrelevant|similar different|same different|identical different
equal unequal|overestimate underestimate|overvalued undervalued|over under|plus minus|credit debit|asset liability
advantage disadvantage|benefit harm|appear disappear|connect disconnect|continue stop|continue discontinue
enable disable|activate deactivate|lock unlock|load unload|cover uncover|sunrise sunset|winner loser|won lost
rose fell|raised lowered|increased decreased|accepted rejected|approved rejected|allowed banned|opened shut
joined left|join leave|hired fired|arrested released|arrest release|guilty acquitted|rich poor|heaviest lightest
most least|more less|more fewer|plenty shortage|abundant scarce|minimal maximal|always sometimes|all some|everyone nobody
agreed refused|supported opposed|included excluded|added removed|started ended|began ended|rejected accepted
internal external|inward outward|incoming outgoing|bullish bearish|boom bust|expansion recession|inflation deflation
legal unlawful|lawful unlawful|formal informal|official unofficial|natural artificial|real fake|genuine fake
specific general|partial complete|partial full|partial total|current former|interesting boring|exciting boring
rare common|rarely commonly|frequent rare|regular irregular|continuous intermittent|constant occasional|before after
cheap costly|expensive affordable|modern traditional|conventional unconventional|typical atypical|normal abnormal
polite rude|kind cruel|generous stingy|brave cowardly|calm nervous|relaxed stressed|relaxing stressful|patient impatient
honest dishonest|loyal disloyal|obey disobey|trust distrust|approve disapprove|satisfied dissatisfied|comfortable uncomfortable
deep shallow|sharp blunt|bright dim|smooth rough|soft hard|sweet sour|sweet bitter|fresh stale|raw cooked|tidy messy
organized disorganized|busy idle|awake asleep|sober drunk|pleased displeased|friendly hostile|friendly unfriendly
confident unsure|sure unsure|certain doubtful|accept decline|attend miss|arrive leave|stay leave|remain leave|keep lose
keep discard|save spend|save waste|spend earn|earn lose|pay receive|climb drop|climb fall|surge plunge|soar plummet
gain drop|upgrade downgrade|promote demote|lead trail|indoor outdoor|online offline|digital physical|virtual physical
manual automatic|wired wireless|public secret|plaintiff defendant|prosecution defence|prosecution defense|advance retreat
forward backward|ascending descending|inflow outflow|supply demand|employer employee|teacher student|parent child
host guest|landlord tenant|predecessor successor|beginner expert|amateur professional|minor adult|child adult
young elderly|masculine feminine|humid dry|sunny rainy|sunny cloudy|rainy dry|heat cold|freeze melt|solid liquid
thin fat|lean fat|ill well|sick well|survive die|survived died|confirm cancel|confirmed cancelled|scheduled cancelled
delayed early|late punctual|grant deny|grant refuse|award revoke|join quit|include omit|attach detach|arm disarm
assemble disassemble|encrypt decrypt|install uninstall|subscribe unsubscribe|follow unfollow|excess shortage
abundance scarcity|wealth poverty|hit miss|true untrue|fact fiction|real imaginary|literal figurative|easy challenging
easy tough|easy complicated|basic advanced|beginner advanced|elementary advanced|central peripheral|local global
local national|local international|national international|domestic international|upstream downstream|uphill downhill
upstairs downstairs|above beneath|ancient contemporary|temporary lasting|brief lengthy|sudden gradual
gradual rapid|slow rapid|gentle harsh|mild severe|minor serious|minor severe|slight significant|insignificant significant
important unimportant|necessary unnecessary|essential optional|mandatory voluntary|allowed forbidden|safe risky
secure insecure|secure vulnerable|stable volatile|calm chaotic|orderly chaotic|peaceful violent|gentle violent
quiet noisy|silent noisy|clear vague|clear ambiguous|explicit implicit|direct indirect|formal casual|serious funny
serious humorous|tragic comic|comedy tragedy|positive critical|supporter opponent|ally rival|friend foe|approve condemn
praise condemn|welcome reject|welcome oppose|celebrate mourn|laugh cry|smile frown|believe doubt|find lose|found lost
hide reveal|hidden visible|conceal reveal|show hide|available unavailable|occupied vacant|employed unemployed
living deceased|alive deceased|success flop|win draw|lose draw|urban suburban|rich modest|luxury budget|premium budget
increase lower|reduce raise|expand reduce|widen narrow|tighten loosen|tight loose|strict lenient|strict lax
`;

/** Function words that still carry a fact: "more than 50" / "less than 50", "before the vote" / "after it". */
export const QUANTITY_WORDS: ReadonlySet<string> = new Set([
  'more', 'less', 'fewer', 'most', 'least', 'all', 'some', 'none', 'many', 'few', 'always', 'sometimes', 'often',
  'rarely', 'seldom', 'usually', 'before', 'after', 'above', 'below',
]);

// One closed set per line: any member written where the source has another is a different fact.
const SETS = `
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
spring summer autumn winter
north south east west northeast northwest southeast southwest
red blue green yellow black white orange purple pink brown grey gray
mother father son daughter brother sister uncle aunt nephew niece grandfather grandmother grandson granddaughter husband wife cousin
daily weekly monthly yearly annual hourly quarterly
morning afternoon evening night midnight noon dawn dusk
breakfast lunch dinner supper brunch
phone computer laptop tablet television radio
car bus train plane truck bicycle motorcycle boat ship taxi tram subway helicopter
airport station harbour harbor port
school mosque church temple synagogue hospital university college prison court hotel restaurant museum library stadium theatre theater airport factory farm
tea coffee beer wine water milk juice soda whisky vodka
cheese butter milk bread egg meat rice pasta fish chicken beef pork
football soccer basketball tennis cricket rugby golf baseball hockey volleyball boxing swimming cycling athletics
federal provincial municipal
doctor nurse teacher lawyer engineer firefighter soldier farmer chef pilot journalist accountant dentist hairdresser plumber electrician architect pharmacist priest
dog cat horse cow pig sheep goat rabbit mouse rat lion tiger bear wolf fox deer elephant monkey
dollar euro pound yen rupee yuan franc peso rouble ruble
second minute hour day week month year decade century
millimetre millimeter centimetre centimeter metre meter kilometre kilometer mile inch foot yard
gram kilogram tonne ounce
murder manslaughter assault robbery theft burglary fraud rape kidnapping arson
arrested charged convicted acquitted sentenced released
gold silver bronze
bachelor master doctorate
singer actor actress dancer painter writer poet composer director producer
single married divorced widowed engaged
primary secondary tertiary
beginner intermediate advanced
small medium large
low medium high
solid liquid gas
land sea air
democrat republican
liberal conservative
home away
past present future
breakfast lunch dinner
more less fewer
most least
all some none
many few
always never sometimes often rarely seldom usually
before after
above below
`;

function buildSets(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  for (const line of SETS.split('\n')) {
    const members = line.trim().split(/\s+/).filter(Boolean).map(normalizeWord);
    for (const a of members) {
      let set = table.get(a);
      if (set === undefined) {
        set = new Set();
        table.set(a, set);
      }
      for (const b of members) if (b !== a && !a.includes(b) && !b.includes(a)) set.add(b);
    }
  }
  return table;
}

const SET_TABLE = buildSets();

/** Normalised words of the closed sets `norm` belongs to, other than itself (empty when none). */
export function setMatesOf(norm: string): ReadonlySet<string> {
  return SET_TABLE.get(norm) ?? EMPTY;
}

function buildTable(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    let set = table.get(a);
    if (set === undefined) {
      set = new Set();
      table.set(a, set);
    }
    set.add(b);
  };
  for (const pair of PAIRS.split(/[|\n]/)) {
    const words = pair.trim().split(/\s+/);
    if (words.length !== 2) continue;
    const a = normalizeWord(words[0] ?? '');
    const b = normalizeWord(words[1] ?? '');
    if (a === b) continue;
    link(a, b);
    link(b, a);
  }
  return table;
}

const TABLE = buildTable();

/** Normalised opposites of a normalised word (empty when the list has none). */
export function antonymsOf(norm: string): ReadonlySet<string> {
  return TABLE.get(norm) ?? EMPTY;
}

const EMPTY: ReadonlySet<string> = new Set();

const NEGATING_PREFIXES = ['un', 'in', 'im', 'il', 'ir', 'dis', 'non'];

/** The word a negating prefix was put on ("unable" → "able"), when `known` contains it; else null. */
export function prefixNegated(norm: string, known: { has(key: string): boolean }): string | null {
  for (const prefix of NEGATING_PREFIXES) {
    if (!norm.startsWith(prefix)) continue;
    const base = norm.slice(prefix.length).replace(/^-/, '');
    if (base.length >= 4 && known.has(base)) return base;
  }
  return null;
}
