import { DETECTION_PHRASES, type DetectionPhrase } from '../../adoption/detection-phrases';
import { STAGE_HISTORY_OF_FIRST_SEEN } from '../../adoption/detection-sql';
import { CUSTOMER_LIST_SCOPE, evaluationSql } from '../../adoption/scoring-evaluation-sql';

/** The words live in TypeScript and the statements pick them by name: every phrase is picked, and only known ones. */
it('every detection phrase is read by a statement, and every phrase a statement reads exists', () => {
  const statements = evaluationSql(CUSTOMER_LIST_SCOPE) + STAGE_HISTORY_OF_FIRST_SEEN;
  const read = new Set([...statements.matchAll(/->> '(\w+)'\)?/g)].map((match) => match[1]).filter((name) => name in DETECTION_PHRASES));
  expect([...read].sort()).toEqual((Object.keys(DETECTION_PHRASES) as DetectionPhrase[]).sort());
  const phrasesRead = [...statements.matchAll(/\$5::jsonb ->> '(\w+)'/g)].map((match) => match[1]);
  expect(phrasesRead.filter((name) => !(name in DETECTION_PHRASES))).toEqual([]);
});

it('no English is left in the evaluation: its string literals are codes, not sentences', () => {
  const withoutComments = evaluationSql(CUSTOMER_LIST_SCOPE).replace(/--.*$/gm, '');
  const literals = [...withoutComments.matchAll(/'([^']*)'/g)].map((match) => match[1]);
  expect(literals.filter((text) => /[a-z]+ [a-z]+ [a-z]+/.test(text))).toEqual([]);
});
