import type { JsonValue } from '../../definitions/language/types';
import { exactReference, resolveTemplate, scanTemplate } from '../../definitions/language/template';

/**
 * `query_database` SQL: turns every `{{...}}` into a bound parameter and checks that the statement only reads.
 *
 * Values never enter SQL text: `'{{feature_id}}'` (quoted or not) becomes `$1` and the plan carries the template
 * `"{{feature_id}}"` as params[0], resolved at run time and sent to Postgres as a parameter. A quoted literal that
 * mixes text and references (`'%{{feature_name}}%'`) becomes one parameter whose template is the literal's text.
 *
 * The read-only check is a lexical one (strings, quoted identifiers, comments and dollar quotes are skipped, so a
 * keyword inside them is no keyword). It is a guard for definition authors, not a sandbox: the activity should still
 * run the statement in a READ ONLY transaction with a statement timeout. Pure, no I/O: the activity imports it too.
 */

export type SqlProblemCategory = 'sql-not-select' | 'sql-multiple-statements' | 'sql-syntax' | 'sql-template-placement' | 'sql-positional-parameter';

export interface SqlProblem {
  /** Offset in the query text. */
  offset: number;
  category: SqlProblemCategory;
  message: string;
}

export interface ParameterisedSql {
  /** The statement with `$1..$n` in place of the references; no trailing semicolon. */
  sql: string;
  /** `params[i]` is the template for `$i+1`. */
  params: string[];
  problems: SqlProblem[];
}

type Token = { type: 'word'; upper: string; offset: number } | { type: 'punct'; text: string; offset: number } | { type: 'literal'; offset: number };

// Keywords that only appear in statements that write, lock or administer; none of them is a plausible bare column
// name, so rejecting them anywhere outside strings costs a SELECT nothing. Other verbs (SET, DO, BEGIN, ...) can only
// start a statement, which the first-keyword rule already refuses.
const WRITING_KEYWORDS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'TRUNCATE',
  'CREATE',
  'ALTER',
  'DROP',
  'GRANT',
  'REVOKE',
  'COPY',
  'INTO',
  'VACUUM',
  'REINDEX',
  'NOTIFY',
  'LISTEN',
]);

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_QUOTE = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

export function parameteriseSql(query: string): ParameterisedSql {
  return parameterise(query).result;
}

/** The offset in `query` of `offset` in its parameterised SQL (where `$n` replaced a reference, the reference's). */
export function sourceOffset(query: string, offset: number): number {
  const { result, anchors, leading } = parameterise(query);
  const at = Math.min(Math.max(0, offset), result.sql.length) + leading;
  let anchor: [number, number] = [0, 0];
  for (const candidate of anchors) if (candidate[0] <= at) anchor = candidate;
  return Math.min(query.length, anchor[1] + (at - anchor[0]));
}

function parameterise(query: string): { result: ParameterisedSql; anchors: Array<[number, number]>; leading: number } {
  // [offset in the output, offset in the query] at each place where the two stop running in step.
  const anchors: Array<[number, number]> = [];
  const problems: SqlProblem[] = [];
  const params: string[] = [];
  const paramIndex = new Map<string, number>();
  const tokens: Token[] = [];
  let out = '';
  let i = 0;
  let statementEnded: number | undefined;
  let secondStatementAt: number | undefined;

  const problem = (offset: number, category: SqlProblemCategory, message: string) => problems.push({ offset, category, message });
  const significant = (token: Token) => {
    if (statementEnded !== undefined && secondStatementAt === undefined) secondStatementAt = token.offset;
    tokens.push(token);
  };
  const bind = (template: string, key: string, at: number, end: number) => {
    let index = paramIndex.get(key);
    if (index === undefined) {
      params.push(template);
      index = params.length;
      paramIndex.set(key, index);
    }
    // `$1` glued to a word would lex as part of it (`LIKE$1`) or as junk after the parameter (`$1AND`).
    const before = out.length > 0 && IDENT_CHAR.test(out[out.length - 1]) ? ' ' : '';
    const after = end < query.length && IDENT_CHAR.test(query[end]) ? ' ' : '';
    anchors.push([out.length + before.length, at]);
    out += `${before}$${index}${after}`;
    anchors.push([out.length, end]);
    significant({ type: 'literal', offset: at });
  };
  const noTemplatesIn = (text: string, at: number, where: string) => {
    const token = scanTemplate(text)[0];
    if (token) {
      problem(at + token.offset, 'sql-template-placement', `a {{...}} reference cannot stand inside ${where}; it can only stand for a value`);
    }
  };
  // A literal's text with references becomes one parameter; without them it stays in the SQL as written.
  const literal = (raw: string, text: string, at: number, end: number) => {
    const tokensInside = scanTemplate(text);
    if (tokensInside.length === 0 || tokensInside.some((token) => token.error !== undefined)) {
      out += raw;
      significant({ type: 'literal', offset: at });
      return;
    }
    const exact = exactReference(text);
    if (exact !== undefined) bind(`{{${exact}}}`, `ref:${exact}`, at, end);
    else bind(text, `text:${text}`, at, end);
  };

  while (i < query.length) {
    const c = query[i];
    const next = query[i + 1];
    if (/\s/.test(c)) {
      out += c;
      i += 1;
    } else if (c === '-' && next === '-') {
      const end = query.indexOf('\n', i) < 0 ? query.length : query.indexOf('\n', i);
      noTemplatesIn(query.slice(i, end), i, 'an SQL comment');
      out += query.slice(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      let depth = 0;
      let j = i;
      // Postgres block comments nest.
      while (j < query.length) {
        if (query.startsWith('/*', j)) {
          depth += 1;
          j += 2;
        } else if (query.startsWith('*/', j)) {
          depth -= 1;
          j += 2;
          if (depth === 0) break;
        } else j += 1;
      }
      if (depth !== 0) {
        problem(i, 'sql-syntax', 'unterminated /* comment');
        return { result: { sql: out, params, problems }, anchors, leading: 0 };
      }
      noTemplatesIn(query.slice(i, j), i, 'an SQL comment');
      out += query.slice(i, j);
      i = j;
    } else if (c === "'") {
      const previous = tokens[tokens.length - 1];
      const prefix =
        previous?.type === 'word' && previous.offset + previous.upper.length === i && /^[EBXN]$/.test(previous.upper) ? previous.upper : undefined;
      const end = closingQuote(query, i, "'", prefix === 'E');
      if (end < 0) {
        problem(i, 'sql-syntax', 'unterminated string literal');
        return { result: { sql: out, params, problems }, anchors, leading: 0 };
      }
      const raw = query.slice(i, end + 1);
      if (prefix !== undefined) {
        // E'..', B'..', X'..', N'..' have their own escapes or types; a reference inside would need them undone.
        noTemplatesIn(raw, i, `a ${prefix}'...' string`);
        out += raw;
        significant({ type: 'literal', offset: i });
      } else literal(raw, raw.slice(1, -1).replace(/''/g, "'"), i, end + 1);
      i = end + 1;
    } else if (c === '"') {
      const end = closingQuote(query, i, '"');
      if (end < 0) {
        problem(i, 'sql-syntax', 'unterminated quoted identifier');
        return { result: { sql: out, params, problems }, anchors, leading: 0 };
      }
      noTemplatesIn(query.slice(i, end + 1), i, 'a quoted identifier');
      out += query.slice(i, end + 1);
      significant({ type: 'word', upper: '"', offset: i });
      i = end + 1;
    } else if (c === '$' && DOLLAR_QUOTE.test(query.slice(i))) {
      const delimiter = DOLLAR_QUOTE.exec(query.slice(i))![0];
      const close = query.indexOf(delimiter, i + delimiter.length);
      if (close < 0) {
        problem(i, 'sql-syntax', `unterminated dollar-quoted string ${delimiter}`);
        return { result: { sql: out, params, problems }, anchors, leading: 0 };
      }
      literal(query.slice(i, close + delimiter.length), query.slice(i + delimiter.length, close), i, close + delimiter.length);
      i = close + delimiter.length;
    } else if (c === '$' && /\d/.test(next ?? '')) {
      problem(i, 'sql-positional-parameter', 'write {{...}} references instead of $n parameters; the compiler numbers them');
      out += c;
      i += 1;
    } else if (c === '{' && next === '{') {
      const token = scanTemplate(query.slice(i))[0];
      const end = i + token.length;
      if (token.error !== undefined) {
        // The reference checker reports the malformed token; keep the text so nothing is silently dropped.
        out += query.slice(i, end);
      } else if (i > 0 && /[A-Za-z0-9_$."]/.test(query[i - 1])) {
        problem(i, 'sql-template-placement', 'a {{...}} reference stands for one value; it cannot be glued to a name or number');
        out += query.slice(i, end);
      } else if (/^(FROM|JOIN)$/.test(lastWord(tokens) ?? '') && tokens[tokens.length - 1]?.type === 'word') {
        problem(i, 'sql-template-placement', `a {{...}} reference is a value, it cannot name a table after ${lastWord(tokens)}`);
        out += query.slice(i, end);
      } else {
        bind(`{{${token.path}}}`, `ref:${token.path}`, i, end);
      }
      i = end;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < query.length && IDENT_CHAR.test(query[j])) j += 1;
      out += query.slice(i, j);
      significant({ type: 'word', upper: query.slice(i, j).toUpperCase(), offset: i });
      i = j;
    } else if (c === ';') {
      // A trailing semicolon is harmless and dropped; anything after it is a second statement.
      if (statementEnded === undefined) statementEnded = i;
      i += 1;
      anchors.push([out.length, i]);
    } else {
      out += c;
      significant({ type: 'punct', text: c, offset: i });
      i += 1;
    }
  }

  if (secondStatementAt !== undefined) {
    problem(secondStatementAt, 'sql-multiple-statements', 'query_database runs exactly one statement; found another after ";"');
  }
  // Judge the first statement only: a second one is already refused, whatever it does.
  const firstStatement = tokens.filter((token) => statementEnded === undefined || token.offset < statementEnded);
  const readOnly = readOnlyProblem(firstStatement, query);
  if (readOnly) problems.push(readOnly);
  problems.sort((a, b) => a.offset - b.offset);
  return { result: { sql: out.trim(), params, problems }, anchors, leading: out.length - out.trimStart().length };
}

function closingQuote(text: string, open: number, quote: string, backslashEscapes = false): number {
  for (let j = open + 1; j < text.length; j += 1) {
    if (backslashEscapes && text[j] === '\\') j += 1;
    else if (text[j] === quote) {
      // A doubled quote is an escaped quote, not the end.
      if (text[j + 1] === quote) j += 1;
      else return j;
    }
  }
  return -1;
}

function lastWord(tokens: Token[]): string | undefined {
  const last = tokens[tokens.length - 1];
  return last?.type === 'word' ? last.upper : undefined;
}

/** The first reason the statement might write, lock or act, if any; one is enough to fix at a time. */
function readOnlyProblem(tokens: Token[], query: string): SqlProblem | undefined {
  const first = tokens.find((token) => !(token.type === 'punct' && token.text === '('));
  if (!first) return { offset: 0, category: 'sql-not-select', message: 'the query is empty; query_database runs one read-only SELECT' };
  if (first.type !== 'word' || (first.upper !== 'SELECT' && first.upper !== 'WITH')) {
    const what = first.type === 'word' ? first.upper : query.slice(first.offset, first.offset + 10);
    return {
      offset: first.offset,
      category: 'sql-not-select',
      message: `query_database runs one read-only SELECT (or WITH ... SELECT); this statement starts with ${what}`,
    };
  }
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token.type !== 'word') continue;
    const previous = tokens[index - 1];
    const following = tokens[index + 1];
    const at = token.offset;
    if (token.upper === 'INTO') {
      return { offset: at, category: 'sql-not-select', message: 'SELECT ... INTO creates a table; query_database only reads' };
    }
    if (token.upper === 'UPDATE' && previous?.type === 'word' && previous.upper === 'FOR') {
      return { offset: previous.offset, category: 'sql-not-select', message: 'FOR UPDATE locks rows; query_database only reads' };
    }
    if (token.upper === 'FOR' && following?.type === 'word' && ['SHARE', 'NO', 'KEY'].includes(following.upper)) {
      return {
        offset: at,
        category: 'sql-not-select',
        message: `FOR ${following.upper === 'SHARE' ? 'SHARE' : `${following.upper} ...`} locks rows; query_database only reads`,
      };
    }
    if (WRITING_KEYWORDS.has(token.upper)) {
      const inWith = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(token.upper) && first.upper === 'WITH';
      return {
        offset: at,
        category: 'sql-not-select',
        message: inWith
          ? `${token.upper} inside WITH modifies data; query_database only reads`
          : `${token.upper} is not allowed; query_database runs one read-only SELECT`,
      };
    }
  }
  return undefined;
}

/**
 * The statement and its parameter values for one run: each `params` template resolved against the scope (a
 * reference to nothing becomes NULL). For the activity; the SQL text is the compiled one, untouched.
 */
export function bindQueryParameters(
  config: { sql: string; params: JsonValue[] },
  scope: Record<string, JsonValue>,
): { sql: string; values: JsonValue[] } {
  return { sql: config.sql, values: config.params.map((param) => resolveTemplate(param, scope) ?? null) };
}
