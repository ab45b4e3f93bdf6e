import { QUERYABLE_FUNCTIONS, QUERYABLE_RELATIONS, QUERYABLE_TYPES, QUERYABLE_VALUE_FUNCTIONS } from './allowed-sql';

/**
 * The check of a definition's statement on Postgres's own parse tree (libpg_query, see statement-parser.ts), the same
 * at validate time and at run time: one SELECT (WITH ... SELECT, set operations, subqueries) that reads only the
 * documented relations, calls only allow-listed functions and casts only to plain types. Names are judged as the
 * parser resolved them, so `U&"\0073et_config"` is set_config and a name inside a string literal is no name.
 *
 * Every node type and field is allow-listed too: a construct this file does not know (a new parser version, XML,
 * COPY, locking, SELECT INTO) is refused rather than walked past. Pure: takes the tree, imports no parser.
 */

export interface PolicyProblem {
  /** UTF-16 offset in the statement text. */
  offset: number;
  category: 'sql-not-select' | 'sql-multiple-statements' | 'sql-not-allowed';
  message: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };
/** How a field's value is walked: a node (`{Type: {...}}`), a list of them, an unwrapped struct of a known type, a constant. */
type Field = 'node' | 'nodes' | 'constant' | { struct: string } | { refuse: string };

const LOCKING = { refuse: 'FOR UPDATE / FOR SHARE locks rows; query_database only reads' };
const NODE_FIELDS: Record<string, Record<string, Field>> = {
  SelectStmt: {
    distinctClause: 'nodes', targetList: 'nodes', fromClause: 'nodes', whereClause: 'node', groupClause: 'nodes',
    havingClause: 'node', windowClause: 'nodes', valuesLists: 'nodes', sortClause: 'nodes', limitOffset: 'node',
    limitCount: 'node', withClause: { struct: 'WithClause' }, larg: { struct: 'SelectStmt' }, rarg: { struct: 'SelectStmt' },
    intoClause: { refuse: 'SELECT ... INTO creates a table; query_database only reads' }, lockingClause: LOCKING,
  },
  WithClause: { ctes: 'nodes' },
  CommonTableExpr: { aliascolnames: 'nodes', ctequery: 'node' },
  ResTarget: { indirection: 'nodes', val: 'node' },
  ColumnRef: { fields: 'nodes' },
  A_Star: {},
  String: {},
  Integer: {},
  Float: {},
  Boolean: {},
  BitString: {},
  A_Const: { ival: 'constant', fval: 'constant', boolval: 'constant', sval: 'constant', bsval: 'constant' },
  ParamRef: {},
  A_Expr: { name: 'nodes', lexpr: 'node', rexpr: 'node' },
  BoolExpr: { args: 'nodes' },
  NullTest: { arg: 'node' },
  BooleanTest: { arg: 'node' },
  CaseExpr: { arg: 'node', args: 'nodes', defresult: 'node' },
  CaseWhen: { expr: 'node', result: 'node' },
  CoalesceExpr: { args: 'nodes' },
  MinMaxExpr: { args: 'nodes' },
  SubLink: { testexpr: 'node', operName: 'nodes', subselect: 'node' },
  A_ArrayExpr: { elements: 'nodes' },
  RowExpr: { args: 'nodes' },
  A_Indirection: { arg: 'node', indirection: 'nodes' },
  A_Indices: { lidx: 'node', uidx: 'node' },
  TypeCast: { arg: 'node', typeName: { struct: 'TypeName' } },
  TypeName: { names: 'nodes', typmods: 'nodes', arrayBounds: 'nodes' },
  CollateClause: { arg: 'node', collname: 'nodes' },
  FuncCall: { funcname: 'nodes', args: 'nodes', agg_order: 'nodes', agg_filter: 'node', over: { struct: 'WindowDef' } },
  NamedArgExpr: { arg: 'node' },
  WindowDef: { partitionClause: 'nodes', orderClause: 'nodes', startOffset: 'node', endOffset: 'node' },
  SortBy: { node: 'node', useOp: 'nodes' },
  SQLValueFunction: {},
  RangeVar: { alias: { struct: 'Alias' } },
  Alias: { colnames: 'nodes' },
  RangeSubselect: { subquery: 'node', alias: { struct: 'Alias' } },
  RangeFunction: { functions: 'nodes', alias: { struct: 'Alias' } },
  JoinExpr: { larg: 'node', rarg: 'node', usingClause: 'nodes', join_using_alias: { struct: 'Alias' }, quals: 'node', alias: { struct: 'Alias' } },
  List: { items: 'nodes' },
  GroupingSet: { content: 'nodes' },
  GroupingFunc: { args: 'nodes' },
}; // prettier-ignore

/** SQL verbs for the statements people try, to say what was found. */
const STATEMENT_VERBS: Record<string, string> = {
  InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE', CopyStmt: 'COPY',
  ExplainStmt: 'EXPLAIN', VariableSetStmt: 'SET', VariableShowStmt: 'SHOW', DoStmt: 'DO', CallStmt: 'CALL',
  TransactionStmt: 'a transaction command', CreateStmt: 'a table definition', CreateTableAsStmt: 'a table definition',
  DropStmt: 'DROP', TruncateStmt: 'TRUNCATE', GrantStmt: 'GRANT', GrantRoleStmt: 'GRANT', AlterTableStmt: 'a table change',
  ViewStmt: 'a view definition', CreateFunctionStmt: 'a function definition', LockStmt: 'LOCK', ListenStmt: 'LISTEN', NotifyStmt: 'NOTIFY',
}; // prettier-ignore

class Refusal extends Error {
  constructor(
    readonly at: number,
    readonly category: PolicyProblem['category'],
    message: string,
  ) {
    super(message);
  }
}

/** The first reason `tree` (libpg_query's JSON parse of `sql`) is not a statement a definition may run, or undefined. */
export function statementProblem(tree: { stmts?: Json[] }, sql: string): PolicyProblem | undefined {
  const bytes = Buffer.from(sql, 'utf8');
  const offsetOf = (byteLocation: number) => bytes.subarray(0, Math.max(0, byteLocation)).toString('utf8').length;
  try {
    const statements = tree.stmts ?? [];
    if (statements.length === 0) throw new Refusal(0, 'sql-not-select', 'the query is empty; query_database runs one read-only SELECT');
    if (statements.length > 1) {
      const second = (statements[1] as Body).stmt_location;
      throw new Refusal(
        typeof second === 'number' ? second : 0,
        'sql-multiple-statements',
        'query_database runs exactly one statement; found another after ";"',
      );
    }
    const [type, body] = nodeOf((statements[0] as Body).stmt);
    if (type !== 'SelectStmt') {
      const verb = STATEMENT_VERBS[type] ?? type;
      throw new Refusal(0, 'sql-not-select', `query_database runs one read-only SELECT (or WITH ... SELECT); this statement is ${verb}`);
    }
    new Walker(sql, offsetOf).select(body, [], 0);
    return undefined;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { offset: offsetOf(error.at), category: error.category, message: error.message };
  }
}

function nodeOf(value: Json | undefined): [string, Body] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['', {}];
  const keys = Object.keys(value);
  if (keys.length !== 1) return ['', {}];
  return [keys[0], (value[keys[0]] ?? {}) as Body];
}

const names = (list: Json | undefined): string[] =>
  Array.isArray(list) ? list.map((item) => String((nodeOf(item)[1].sval as string | undefined) ?? '')) : [];

class Walker {
  constructor(
    private readonly sql: string,
    private readonly offsetOf: (byteLocation: number) => number,
  ) {}

  /** A SELECT with its WITH: a plain CTE sees the ones before it, a recursive one all of them, the body all. */
  select(body: Body, scope: ReadonlyArray<ReadonlySet<string>>, at: number): void {
    let inner = scope;
    const withClause = body.withClause as Body | undefined;
    if (withClause) {
      this.fields('WithClause', withClause, scope, at, ['ctes']);
      const ctes = ((withClause.ctes as Json[] | undefined) ?? []).map((cte) => nodeOf(cte));
      const ctenames = ctes.map(([, cte]) => String(cte.ctename));
      ctes.forEach(([type, cte], index) => {
        if (type !== 'CommonTableExpr') throw new Refusal(at, 'sql-not-allowed', `${type} is not allowed in WITH`);
        const visible = new Set(withClause.recursive === true ? ctenames : ctenames.slice(0, index));
        const location = typeof cte.location === 'number' ? cte.location : at;
        const [queryType, query] = nodeOf(cte.ctequery);
        if (queryType !== 'SelectStmt') {
          const verb = STATEMENT_VERBS[queryType] ?? queryType;
          throw new Refusal(location, 'sql-not-select', `${verb} inside WITH modifies data; query_database only reads`);
        }
        this.fields('CommonTableExpr', cte, scope, location, ['ctequery']);
        this.select(query, [...scope, visible], location);
      });
      inner = [...scope, new Set(ctenames)];
    }
    this.fields('SelectStmt', body, inner, at, ['withClause']);
  }

  node(value: Json | undefined, scope: ReadonlyArray<ReadonlySet<string>>, at: number): void {
    if (value === null || value === undefined) return;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return; // an empty slot (NIL)
    const [type, body] = nodeOf(value);
    this.typed(type, body, scope, at);
  }

  private typed(type: string, body: Body, scope: ReadonlyArray<ReadonlySet<string>>, parentAt: number): void {
    const at = typeof body.location === 'number' && body.location >= 0 ? body.location : parentAt;
    if (!(type in NODE_FIELDS)) {
      if (type.endsWith('Stmt'))
        throw new Refusal(at, 'sql-not-select', `${STATEMENT_VERBS[type] ?? type} is not allowed; query_database only reads`);
      throw new Refusal(at, 'sql-not-allowed', `${type || 'this construct'} is not allowed in query_database`);
    }
    if (type === 'SelectStmt') return this.select(body, scope, at);
    if (type === 'RangeVar') this.relation(body, scope, at);
    if (type === 'FuncCall') this.functionCall(body, at);
    if (type === 'TypeName') this.typeName(body, at);
    if (type === 'SQLValueFunction' && !QUERYABLE_VALUE_FUNCTIONS.has(String(body.op))) {
      const name = String(body.op)
        .replace(/^SVFOP_/, '')
        .replace(/_N$/, '');
      throw new Refusal(at, 'sql-not-allowed', `${name} is not allowed in query_database (CURRENT_DATE and the other date/time values are)`);
    }
    for (const field of ['name', 'useOp', 'operName'] as const) {
      if (['A_Expr', 'SortBy', 'SubLink'].includes(type) && names(body[field]).length > 1) {
        throw new Refusal(at, 'sql-not-allowed', `OPERATOR(${names(body[field]).join('.')}) is not allowed; write the operator alone`);
      }
    }
    this.fields(type, body, scope, at, []);
  }

  /** Walks every field of a node by its spec; a field the spec does not know is refused unless it is a constant. */
  private fields(type: string, body: Body, scope: ReadonlyArray<ReadonlySet<string>>, at: number, skip: string[]): void {
    const spec = NODE_FIELDS[type];
    for (const [key, value] of Object.entries(body)) {
      if (skip.includes(key) || value === null) continue;
      const field = spec[key];
      if (field === undefined) {
        if (typeof value === 'object') throw new Refusal(at, 'sql-not-allowed', `${type}.${key} is not supported in query_database`);
      } else if (field === 'nodes') {
        for (const item of Array.isArray(value) ? value : [value]) this.node(item, scope, at);
      } else if (field === 'node') this.node(value, scope, at);
      else if (field === 'constant') continue;
      else if ('refuse' in field) throw new Refusal(at, 'sql-not-select', field.refuse);
      else this.typed(field.struct, value as Body, scope, at);
    }
  }

  private relation(body: Body, scope: ReadonlyArray<ReadonlySet<string>>, at: number): void {
    const relname = String(body.relname);
    const schema = typeof body.schemaname === 'string' ? body.schemaname : undefined;
    const written = this.writtenAs(at, relname);
    if (body.catalogname !== undefined || (schema !== undefined && schema !== 'adoption')) {
      const qualified = [body.catalogname, schema, relname].filter((part) => typeof part === 'string').join('.');
      throw new Refusal(at, 'sql-not-allowed', `${qualified}${written} is not a relation definitions may read: they read schema adoption only`);
    }
    if (schema === undefined && scope.some((names) => names.has(relname))) return; // a CTE in scope
    if (!QUERYABLE_RELATIONS.includes(relname)) {
      throw new Refusal(
        at,
        'sql-not-allowed',
        `${relname}${written} is not a relation definitions may read (they may read ${QUERYABLE_RELATIONS.join(', ')})`,
      );
    }
  }

  private functionCall(body: Body, at: number): void {
    const funcname = names(body.funcname);
    const name = funcname[funcname.length - 1];
    // EXTRACT, SUBSTRING ... FROM, TRIM, AT TIME ZONE: SQL syntax the parser spells as pg_catalog.<function>.
    const spelledByParser = funcname.length === 2 && funcname[0] === 'pg_catalog' && body.funcformat === 'COERCE_SQL_SYNTAX';
    const written = this.writtenAs(at, name);
    if (funcname.length > 1 && !spelledByParser) {
      throw new Refusal(
        at,
        'sql-not-allowed',
        `function ${funcname.join('.')}()${written} is not allowed: call allowed functions by their plain names`,
      );
    }
    if (!QUERYABLE_FUNCTIONS.has(name)) {
      throw new Refusal(
        at,
        'sql-not-allowed',
        `function ${name}()${written} is not allowed in query_database (aggregates, window, date/time, string, math and JSON basics are; definitions/README.md lists them)`,
      );
    }
  }

  private typeName(body: Body, at: number): void {
    const typeNames = names(body.names);
    const name = typeNames[typeNames.length - 1];
    const qualifiedOk = typeNames.length === 1 || (typeNames.length === 2 && typeNames[0] === 'pg_catalog');
    if (!qualifiedOk || !QUERYABLE_TYPES.has(name) || body.setof === true || body.pct_type === true) {
      throw new Refusal(
        at,
        'sql-not-allowed',
        `type ${typeNames.join('.')} is not allowed in query_database (numbers, text, booleans, dates, times, intervals, JSON and UUIDs are)`,
      );
    }
  }

  /** ` (written U&"...")` when the text at the node spells the name another way, so the author sees both. */
  private writtenAs(byteLocation: number, name: string): string {
    const rest = this.sql.slice(this.offsetOf(byteLocation));
    const token = /^(?:U&)?"(?:[^"]|"")*"/i.exec(rest)?.[0];
    return token !== undefined && token !== `"${name}"` ? ` (written ${token})` : '';
  }
}
