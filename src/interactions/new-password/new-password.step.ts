// Required action after the second factor: an account whose password an administrator set (or the
// system generated) chooses its own before the sign-in completes. Every other session of the
// account ends, and the user is told by e-mail.
import { AppError } from '../../errors/app-error.js';
import type { UserAdminService } from '../../users/user-admin.service.js';
import type { UserService } from '../../users/user.service.js';
import type { Step, StepContext, StepResult, StepView } from '../step.js';

export class NewPasswordStep implements Step {
  readonly id = 'new-password';

  constructor(
    private readonly users: UserService,
    private readonly admin: UserAdminService,
    private readonly policy: { minLength: number },
  ) {}

  async available(ctx: StepContext): Promise<boolean> {
    return !!ctx.user && ctx.user.temporaryPasswordUntil !== null;
  }

  async view(): Promise<StepView> {
    return { template: 'steps/new-password.njk', data: { minLength: this.policy.minLength } };
  }

  async submit(ctx: StepContext, form: Record<string, string>): Promise<StepResult> {
    const user = ctx.user!;
    const password = form.password ?? '';
    if (password !== (form.confirm ?? '')) throw new AppError('password.mismatch');
    // Never the temporary one again, whatever the history setting.
    if (await this.users.isCurrentPassword(user.id, password)) throw new AppError('password.reused');
    await this.admin.setPassword(user.id, password, { ...ctx.audit, actor: user.id });
    return { kind: 'proven' };
  }
}
