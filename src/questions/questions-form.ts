// Reads the question/answer pairs of the questions form (q1/own1/a1, q2/own2/a2, …).
import type { QuestionAnswer } from './security-question.service.js';

export function questionsFromForm(form: Record<string, string>, count: number): QuestionAnswer[] {
  const entries: QuestionAnswer[] = [];
  for (let i = 1; i <= count; i++) {
    const own = (form[`own${i}`] ?? '').trim();
    entries.push({ question: own || (form[`q${i}`] ?? ''), answer: form[`a${i}`] ?? '' });
  }
  return entries;
}
