import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { packageSourceFiles, ROOT } from '../support/source-layout';

/**
 * The domain (adoption/) owns every SQL statement outside the migrations (db/) and the delivery protocol's own outbox
 * bookkeeping; the web layer, the CLI, the client, the steps and the activities call it. Statements are found as
 * the compiler sees them (string and template literals), so comments and identifiers never count.
 */
const SQL_OWNERS = [/^adoption\//, /^db\//, /^channels\/(delivery|outbox|delivery-relay)\.ts$/];
const SQL_STATEMENT =
  /\b(SELECT\b[\s\S]+\bFROM\b|INSERT\s+INTO\b|UPDATE\s+[\w.]+\s+SET\b|DELETE\s+FROM\b|WITH\s+\w+\s+AS\s*\(|SET\s+(LOCAL\s+)?ROLE\b|CREATE\s+(TABLE|ROLE|VIEW)\b|LISTEN\s+\w|NOTIFY\s+\w)/;

/** The text of every string and template literal in a file (template parts joined), with its line. */
function literals(file: string): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' $x ');
    if (text !== undefined) found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text });
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function statementsIn(files: string[]): string[] {
  return files.flatMap((file) =>
    literals(file)
      .filter(({ text }) => SQL_STATEMENT.test(text))
      .map(({ line, text }) => `${file}:${line}: ${text.replace(/\s+/g, ' ').trim().slice(0, 60)}`),
  );
}

describe('the domain owns the SQL', () => {
  it('no statement outside adoption/, db/ and the delivery protocol', () => {
    const outside = packageSourceFiles().filter((file) => !SQL_OWNERS.some((owner) => owner.test(file)));
    expect(statementsIn(outside)).toEqual([]);
  });

  it('finds a statement where one is written (the check can fail)', () => {
    const probe = path.join(ROOT, 'test', 'unit', '.sql-probe.ts');
    fs.writeFileSync(probe, "export const q = `SELECT id\n  FROM customers WHERE id = $1`;\nexport const s = 'a SELECTion from the menu';\n");
    try {
      expect(statementsIn([path.relative(ROOT, probe)])).toEqual(['test/unit/.sql-probe.ts:1: SELECT id FROM customers WHERE id = $1']);
    } finally {
      fs.rmSync(probe);
    }
  });

  it('the email-draft table is touched by one module', () => {
    const touching = packageSourceFiles().filter((file) =>
      literals(file).some(({ text }) => SQL_STATEMENT.test(text) && /\bemail_drafts\b/.test(text)),
    );
    expect(touching).toEqual(['adoption/drafts.ts']);
  });
});

describe('units stay small', () => {
  it('no source file over 400 lines outside tests and benchmarks', () => {
    const long = packageSourceFiles()
      .map((file) => ({ file, lines: fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
