// Required action after the soft token: choose security questions, if the account has too few.
// They are what lets a user recover from a lost token without calling anyone.
import { AppError } from '../../errors/app-error.js';
import { questionsFromForm } from '../../questions/questions-form.js';
import type { SecurityQuestionService } from '../../questions/security-question.service.js';
import { typedQuestions } from './typed-questions.js';
import { facts, type Step, type StepContext, type StepResult, type StepView } from '../step.js';

export class EnrolQuestionsStep implements Step {
  readonly id = 'enrol-questions';

  constructor(
    private readonly questions: SecurityQuestionService,
    private readonly policy: { required: boolean },
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    const required = this.policy.required;
    return required && !!ctx.user && !(await facts.hasAnswers(ctx, this.questions));
  }

  async view(_ctx: StepContext, submitted?: Record<string, string>): Promise<StepView> {
    const count = this.questions.policy.minCount;
    return { template: 'steps/enrol-questions.njk', data: { questions: this.questions.policy.list, count, typed: typedQuestions(submitted, count) } };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    if (form.action !== 'save') throw new AppError('request.invalid');
    await this.questions.set(ctx.user!.id, questionsFromForm(form, this.questions.policy.minCount), ctx.audit);
    return { kind: 'proven' };
  }
}
