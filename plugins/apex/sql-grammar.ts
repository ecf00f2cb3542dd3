/**
 * Syntax check of the APEX SQL scripts with an Oracle PL/SQL grammar (the
 * grammars-v4 PlSql grammar, as built by the antlr4ts-sql package), so that
 * `npm test` catches what SQL*Plus would refuse, without a database.
 */
import { antlr4tsSQL, PredictionMode, SQLDialect } from 'antlr4ts-sql';

/** A syntax error: 1-based line, 0-based column, and the parser's message. */
export interface SqlSyntaxError {
  line: number;
  column: number;
  message: string;
}

/**
 * Oracle 12c's `IS [NOT] JSON [(STRICT | LAX)]` condition is missing from the
 * grammar antlr4ts-sql ships. It is read as `IS [NOT] NULL`, which has the
 * same shape (a condition on one expression); nothing else is rewritten.
 */
const IS_JSON = /\bis(\s+not)?\s+json(\s*\(\s*(?:strict|lax)\s*\)|\s+(?:strict|lax))?/gi;

/**
 * Parses a SQL*Plus script (SQL, PL/SQL and SQL*Plus commands); returns its syntax errors, none when it is valid.
 * First with SLL prediction, which is fast and exact for a valid script; only when that reports errors, again with
 * full LL prediction, whose errors are the real ones.
 */
export function sqlSyntaxErrors(script: string): SqlSyntaxError[] {
  const source = script.replace(IS_JSON, (_match, not: string | undefined) => `is${not ?? ''} null`);
  const fast = parse(source, PredictionMode.SLL);
  return fast.length ? parse(source, PredictionMode.LL) : fast;
}

function parse(source: string, mode: PredictionMode): SqlSyntaxError[] {
  const errors: SqlSyntaxError[] = [];
  const listener = {
    syntaxError: (_recognizer: unknown, _symbol: unknown, line: number, column: number, message: string): void => {
      errors.push({ line, column, message: message.slice(0, 300) });
    },
  };
  const sql = new antlr4tsSQL(SQLDialect.PLSQL);
  const parser = sql.getParser(sql.getTokens(source, [listener]), [listener]);
  parser.interpreter.setPredictionMode(mode);
  sql.getParseTree(parser);
  return errors;
}
