import type { z } from 'zod';

/** "tables[0].levels[3].g: expected number, received NaN" — names the bad field, one line per issue. */
export function formatZodIssues(error: z.ZodError, maxIssues = 5): string {
  const lines = error.issues
    .slice(0, maxIssues)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (error.issues.length > maxIssues) lines.push(`… and ${error.issues.length - maxIssues} more`);
  return lines.join('; ');
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
}
