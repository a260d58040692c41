// Answers are compared the way people mean them: Unicode NFKC, case-folded, spaces collapsed.
export function normalizeAnswer(answer: string): string {
  return answer.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
