// What was typed in the questions form (q1/own1/a1…), for the page to show again after a refusal.
export function typedQuestions(submitted: Record<string, string> | undefined, count: number): Record<string, string> | undefined {
  if (!submitted) return undefined;
  const typed: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    for (const field of [`q${i}`, `own${i}`, `a${i}`]) typed[field] = (submitted[field] ?? '').slice(0, 200);
  }
  return typed;
}
