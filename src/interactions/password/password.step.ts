// First factor: username or e-mail address and password.
import { AppError } from '../../errors/app-error.js';
import type { PasswordLoginService } from '../../users/password-login.service.js';
import type { Step, StepContext, StepResult, StepView } from '../step.js';

export class PasswordStep implements Step {
  readonly id = 'password';
  readonly proves = 'password' as const;

  constructor(private readonly login: PasswordLoginService) {}

  async available(ctx: StepContext): Promise<boolean> {
    return !ctx.state.accountId;
  }

  async view(ctx: StepContext): Promise<StepView> {
    return { template: 'steps/password.njk', data: { login: ctx.state.data.password?.login ?? '' } };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const login = (form.login ?? '').trim().slice(0, 254);
    const password = form.password ?? '';
    ctx.state.data.password = { login };
    if (!login || !password) throw new AppError('login.missing_fields');
    if (password.length > 1024) throw new AppError('login.invalid_credentials');
    const user = await this.login.authenticate(login, password, ctx.audit);
    return { kind: 'proven', proof: { kind: 'password' }, accountId: user.id };
  }
}
