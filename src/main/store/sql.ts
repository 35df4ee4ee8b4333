/**
 * Dynamic SQL without string pasting: sql`… ${value} …` turns each value into a `?` parameter,
 * and a fragment interpolated into another keeps its text and parameters (as Signal Desktop's
 * sql`` does). Only trusted constants enter as text, through rawSql.
 */
export type SqlValue = string | number | bigint | null;

export interface SqlFragment {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

const isFragment = (x: SqlValue | SqlFragment): x is SqlFragment =>
  typeof x === 'object' && x !== null && 'text' in x && 'values' in x;

export function sql(
  strings: TemplateStringsArray,
  ...params: ReadonlyArray<SqlValue | SqlFragment>
): SqlFragment {
  let text = strings[0]!;
  const values: SqlValue[] = [];
  params.forEach((param, k) => {
    if (isFragment(param)) {
      text += param.text;
      values.push(...param.values);
    } else {
      text += '?';
      values.push(param);
    }
    text += strings[k + 1]!;
  });
  return { text, values };
}

/** A constant of this program (a column list, a SELECT head), never user input. */
export const rawSql = (text: string): SqlFragment => ({ text, values: [] });

export function sqlJoin(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return {
    text: parts.map((p) => p.text).join(separator),
    values: parts.flatMap((p) => p.values),
  };
}
